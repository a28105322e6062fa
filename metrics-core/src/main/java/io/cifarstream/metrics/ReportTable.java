package io.cifarstream.metrics;

import java.util.List;
import java.util.Locale;

/**
 * Presentation only: renders a {@link ClassificationReport} as the plain-text table of the original
 * write-up (the confusion matrix with class names, "F1 micro", "accuracy"), followed by macro and
 * weighted F1, AUC macro, log-loss and a per-class table of precision, recall, F1, AUC and support.
 * Columns are right-aligned to their widest cell; rates have 4 decimals; an undefined value (NaN)
 * prints as {@value #UNDEFINED}.
 */
public final class ReportTable {

    static final String UNDEFINED = "n/a";

    private final List<String> classNames;

    /**
     * A table for reports over these classes, in class-index order.
     *
     * @throws IllegalArgumentException if a name is blank
     */
    public ReportTable(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
        for (String name : this.classNames) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("class names must not be blank: " + classNames);
            }
        }
    }

    /**
     * The text of the report, lines ending in '\n'.
     *
     * @throws IllegalArgumentException if the report's class count differs from the names given
     */
    public String render(ClassificationReport report) {
        int n = report.numClasses();
        if (n != classNames.size()) {
            throw new IllegalArgumentException("the report has " + n + " classes but " + classNames.size()
                    + " class names were given");
        }
        StringBuilder out = new StringBuilder();
        renderConfusion(report.confusion(), out);
        out.append('\n');
        String[][] summary = {
            {"count", Long.toString(report.count())},
            {"accuracy", rate(report.accuracy())},
            {"F1 micro", rate(report.f1Micro())},
            {"F1 macro", rate(report.f1Macro())},
            {"F1 weighted", rate(report.f1Weighted())},
            {"AUC macro", rate(report.aucMacro())},
            {"log loss", rate(report.logLoss())},
        };
        renderRows(new String[] {"", ""}, summary, false, out);
        out.append('\n');
        String[][] perClass = new String[n][];
        for (int k = 0; k < n; k++) {
            perClass[k] = new String[] {classNames.get(k), rate(report.precision().get(k)),
                rate(report.recall().get(k)), rate(report.f1().get(k)), rate(report.auc().get(k)),
                Long.toString(report.support(k))};
        }
        renderRows(new String[] {"class", "precision", "recall", "F1", "AUC", "support"}, perClass, true, out);
        return out.toString();
    }

    private void renderConfusion(ConfusionMatrix confusion, StringBuilder out) {
        int n = confusion.numClasses();
        out.append("confusion matrix (rows = true class, columns = predicted class)\n");
        String[] header = new String[n + 1];
        header[0] = "true \\ predicted";
        String[][] rows = new String[n][n + 1];
        for (int t = 0; t < n; t++) {
            header[t + 1] = classNames.get(t);
            rows[t][0] = classNames.get(t);
            for (int p = 0; p < n; p++) {
                rows[t][p + 1] = Long.toString(confusion.count(t, p));
            }
        }
        renderRows(header, rows, true, out);
    }

    /** First column left-aligned, the others right-aligned; two spaces between columns. */
    private static void renderRows(String[] header, String[][] rows, boolean withHeader, StringBuilder out) {
        int columns = header.length;
        int[] width = new int[columns];
        for (int c = 0; c < columns; c++) {
            width[c] = withHeader ? header[c].length() : 0;
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        if (withHeader) {
            appendRow(header, width, out);
        }
        for (String[] row : rows) {
            appendRow(row, width, out);
        }
    }

    private static void appendRow(String[] cells, int[] width, StringBuilder out) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c == 0) {
                line.append(cells[c]).append(" ".repeat(width[c] - cells[c].length()));
            } else {
                line.append("  ").append(" ".repeat(width[c] - cells[c].length())).append(cells[c]);
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String rate(double value) {
        return Double.isNaN(value) ? UNDEFINED : String.format(Locale.ROOT, "%.4f", value);
    }
}

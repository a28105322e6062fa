package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.metrics.MonitoringFields;
import io.cifarstream.metrics.ReportFields;
import io.cifarstream.schemas.MetricsView;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An alert rule: a figure of one view of every model compared with a threshold, with hysteresis. Written
 *
 * <pre>  NAME: METRIC in VIEW (&lt; | &gt;) THRESHOLD [for K] [clear K] [min N]</pre>
 *
 * e.g. {@code estimate-low: estimated_accuracy in last < 0.6 for 3 min 1000}, or
 * {@code classes-moved: drift.predicted_class_js in window > 0.1 for 5 clear 10}.
 * <ul>
 *   <li>{@code NAME}: letters, digits, '.', '_', '-'; unique among the rules;</li>
 *   <li>{@code METRIC}: a figure of the view's report ({@link #METRICS}), or {@code drift.CHECK}, the statistic of
 *       a drift check;</li>
 *   <li>{@code VIEW}: {@code cumulative}, {@code window} or {@code last};</li>
 *   <li>the rule is evaluated each time the view's report is made (at most once per emit interval, when the view
 *       changed). It fires after the condition held in {@code for} K consecutive evaluations (default 1), and
 *       resolves after it failed in {@code clear} K consecutive ones (default: the {@code for} count);</li>
 *   <li>{@code min} N: evaluations are skipped while the view holds fewer than N records of what the figure is
 *       made of (labelled records for the labelled metrics, predictions for the estimates and drift, calibrated
 *       records for {@code ece} and {@code brier}); so are evaluations where the figure is undefined (null).</li>
 * </ul>
 * Files of rules hold one a line; blank lines and lines starting with {@code #} are skipped.
 */
public record AlertRule(String name, String metric, MetricsView view, Comparison comparison, double threshold,
        int fireAfter, int resolveAfter, long minCount) {

    /** Which side of the threshold is the alert's. */
    public enum Comparison {
        BELOW("<"), ABOVE(">");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        boolean holds(double value, double threshold) {
            return this == BELOW ? value < threshold : value > threshold;
        }
    }

    /** The prefix of a drift check's statistic. */
    public static final String DRIFT_PREFIX = MonitoringFields.DRIFT + ".";
    /** The figures a rule may watch, besides {@code drift.CHECK}. */
    public static final List<String> METRICS = List.of(ReportFields.COUNT, ReportFields.ACCURACY,
            ReportFields.F1_MICRO, ReportFields.F1_MACRO, ReportFields.F1_WEIGHTED, ReportFields.AUC_MACRO,
            ReportFields.LOG_LOSS, MonitoringReport.ESTIMATE_COUNT, MonitoringFields.ESTIMATED_ACCURACY,
            MonitoringFields.ESTIMATED_ACCURACY_AC, MonitoringFields.ESTIMATED_ACCURACY_ATC,
            MonitoringFields.ESTIMATED_F1_MACRO, MonitoringReport.ACCURACY_GAP, MonitoringFields.ECE,
            MonitoringFields.BRIER);
    /**
     * The drift checks a rule may watch, as {@code drift.NAME}, and {@code drift.max_js}, the largest of their
     * distances ({@link io.cifarstream.metrics.Drift#maxDistance()}).
     */
    public static final List<String> DRIFT_CHECKS = Stream.of(
            Stream.of(MonitoringFields.PREDICTED_CLASS_CHI_SQUARE, MonitoringFields.PREDICTED_CLASS_JS,
                    MonitoringFields.CONFIDENCE_JS),
            MonitoringFields.IMAGE_MEAN_JS.stream(), MonitoringFields.IMAGE_STD_JS.stream(),
            Stream.of(MonitoringFields.IMAGE_CHROMA_JS, MonitoringFields.IMAGE_DETAIL_JS, MonitoringFields.MAX_JS))
            .flatMap(s -> s).toList();

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern RULE = Pattern.compile("\\s*(?<name>[^:\\s]+)\\s*:\\s*(?<metric>[a-z0-9_.]+)\\s+in\\s+"
            + "(?<view>[a-z]+)\\s*(?<op>[<>])\\s*(?<threshold>[-+0-9.eE]+)(?:\\s+for\\s+(?<for>\\d{1,9}))?"
            + "(?:\\s+clear\\s+(?<clear>\\d{1,9}))?(?:\\s+min\\s+(?<min>\\d{1,18}))?\\s*");
    /** How the syntax reads, for messages. */
    public static final String SYNTAX = "NAME: METRIC in VIEW (< | >) THRESHOLD [for K] [clear K] [min N]";

    public AlertRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(comparison, "comparison");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("alert rule name '" + name + "': use letters, digits, '.', '_' and '-'");
        }
        if (!METRICS.contains(metric) && !(metric.startsWith(DRIFT_PREFIX)
                && DRIFT_CHECKS.contains(metric.substring(DRIFT_PREFIX.length())))) {
            throw new IllegalArgumentException("alert rule " + name + " watches '" + metric + "', which is no figure of a"
                    + " view: use one of " + String.join(", ", METRICS) + ", or drift.CHECK with CHECK one of "
                    + String.join(", ", DRIFT_CHECKS));
        }
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("alert rule " + name + ": the threshold must be a finite number, got " + threshold);
        }
        if (fireAfter < 1 || resolveAfter < 1) {
            throw new IllegalArgumentException("alert rule " + name + ": 'for' and 'clear' count evaluations, at least 1");
        }
        if (minCount < 0) {
            throw new IllegalArgumentException("alert rule " + name + ": 'min' must not be negative");
        }
    }

    /**
     * Reads one rule in the syntax of the class doc.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AlertRule parse(String text) {
        Matcher m = RULE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text.strip() + "' is no alert rule: write " + SYNTAX
                    + ", e.g. 'estimate-low: estimated_accuracy in last < 0.6 for 3 min 1000'");
        }
        MetricsView view;
        try {
            view = ViewReport.parseApiName(m.group("view"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("alert rule " + m.group("name") + ": " + e.getMessage(), e);
        }
        double threshold;
        try {
            threshold = Double.parseDouble(m.group("threshold"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("alert rule " + m.group("name") + ": '" + m.group("threshold")
                    + "' is no number", e);
        }
        int fireAfter = m.group("for") == null ? 1 : Integer.parseInt(m.group("for"));
        int resolveAfter = m.group("clear") == null ? fireAfter : Integer.parseInt(m.group("clear"));
        long minCount = m.group("min") == null ? 0 : Long.parseLong(m.group("min"));
        return new AlertRule(m.group("name"), m.group("metric"), view,
                m.group("op").equals("<") ? Comparison.BELOW : Comparison.ABOVE, threshold, fireAfter, resolveAfter,
                minCount);
    }

    /**
     * Reads a file's worth of rules: one a line, blank lines and {@code #} comments skipped.
     *
     * @param origin names the text in messages, e.g. the file's path
     * @throws IllegalArgumentException naming the line that is wrong, or a name used twice
     */
    public static List<AlertRule> parseAll(String text, String origin) {
        List<AlertRule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                rules.add(parse(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        requireUniqueNames(rules);
        return List.copyOf(rules);
    }

    /** @throws IllegalArgumentException if two rules share a name (their states and alerts would mix) */
    public static void requireUniqueNames(List<AlertRule> rules) {
        List<String> seen = new ArrayList<>();
        for (AlertRule rule : rules) {
            if (seen.contains(rule.name())) {
                throw new IllegalArgumentException("two alert rules are named " + rule.name() + ": give each its own name");
            }
            seen.add(rule.name());
        }
    }

    /** Whether {@code value} is on the alert's side of the threshold. */
    boolean holds(double value) {
        return comparison.holds(value, threshold);
    }

    /** The watched figure in {@code report}; NaN where it is undefined or absent. */
    double value(ViewReport report) {
        ClassificationReport labelled = report.report();
        MonitoringReport monitoring = report.monitoring();
        if (metric.startsWith(DRIFT_PREFIX)) {
            String check = metric.substring(DRIFT_PREFIX.length());
            return monitoring.drift() == null ? Double.NaN : check.equals(MonitoringFields.MAX_JS)
                    ? monitoring.drift().maxDistance() : monitoring.drift().check(check).statistic();
        }
        return switch (metric) {
            case ReportFields.COUNT -> labelled.count();
            case ReportFields.ACCURACY -> labelled.accuracy();
            case ReportFields.F1_MICRO -> labelled.f1Micro();
            case ReportFields.F1_MACRO -> labelled.f1Macro();
            case ReportFields.F1_WEIGHTED -> labelled.f1Weighted();
            case ReportFields.AUC_MACRO -> labelled.aucMacro();
            case ReportFields.LOG_LOSS -> labelled.logLoss();
            default -> monitoring.figure(metric, labelled.accuracy());
        };
    }

    /** How many records the watched figure is made of in {@code report}, for {@code min}. */
    long basis(ViewReport report) {
        MonitoringReport monitoring = report.monitoring();
        long estimated = monitoring.estimates() == null ? 0 : monitoring.estimates().count();
        if (metric.startsWith(DRIFT_PREFIX) || metric.startsWith("estimate")) {
            return estimated;
        }
        return switch (metric) {
            case MonitoringReport.ACCURACY_GAP -> Math.min(estimated, report.report().count());
            case MonitoringFields.ECE, MonitoringFields.BRIER ->
                    monitoring.calibration() == null ? 0 : monitoring.calibration().count();
            default -> report.report().count();
        };
    }

    /** The rule as it is written, e.g. {@code estimate-low: estimated_accuracy in last < 0.6 for 3 clear 3 min 1000}. */
    @Override
    public String toString() {
        return name + ": " + condition() + " for " + fireAfter + " clear " + resolveAfter + " min " + minCount;
    }

    /** The condition alone, e.g. {@code estimated_accuracy in last < 0.6}. */
    public String condition() {
        return metric + " in " + ViewReport.apiName(view) + " " + comparison.symbol() + " "
                + String.format(Locale.ROOT, "%s", threshold);
    }
}

package io.cifarstream.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.metrics.RocCurve;

/** The evaluation's pictures: the confusion matrix as a heat map and the ten one-vs-rest ROC curves. */
public final class EvaluationPlots {
    private static final int SIZE = 900;

    private EvaluationPlots() {
    }

    /** Heat map of counts, rows = true class (top to bottom), columns = predicted class, each cell labelled. */
    public static void confusionMatrix(ClassificationReport report, List<String> classNames, String title, Path png)
            throws IOException {
        long[][] counts = report.confusion().counts();
        int n = counts.length;
        double[][] xyz = new double[3][n * n];
        long max = 1;
        XYPlot plot = new XYPlot();
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                int i = t * n + p;
                xyz[0][i] = p;
                xyz[1][i] = t;
                xyz[2][i] = counts[t][p];
                max = Math.max(max, counts[t][p]);
            }
        }
        Heat scale = new Heat(max);
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                XYTextAnnotation label = new XYTextAnnotation(Long.toString(counts[t][p]), p, t);
                label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                label.setPaint(counts[t][p] > max / 2 ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(label);
            }
        }
        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries("counts", xyz);
        String[] names = classNames.toArray(String[]::new);
        SymbolAxis predicted = new SymbolAxis("predicted class", names);
        predicted.setVerticalTickLabels(true);
        SymbolAxis actual = new SymbolAxis("true class", names);
        actual.setInverted(true);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        plot.setDataset(dataset);
        plot.setDomainAxis(predicted);
        plot.setRangeAxis(actual);
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, SIZE, SIZE);
    }

    /** One ROC curve per class, its AUC in the legend, and the chance diagonal. */
    public static void rocCurves(ClassificationReport report, List<String> classNames, String title, Path png)
            throws IOException {
        XYSeriesCollection curves = new XYSeriesCollection();
        for (int k = 0; k < report.numClasses(); k++) {
            RocCurve roc = report.roc().get(k);
            XYSeries series = new XYSeries(String.format(Locale.ROOT, "%s (AUC %.4f)", classNames.get(k),
                    report.auc().get(k)), false, true);
            for (int i = 0; i < roc.size(); i++) {
                series.add(roc.fpr().get(i), roc.tpr().get(i));
            }
            curves.addSeries(series);
        }
        XYSeries chance = new XYSeries("chance", false, true);
        chance.add(0, 0);
        chance.add(1, 1);
        curves.addSeries(chance);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int k = 0; k < report.numClasses(); k++) {
            renderer.setSeriesStroke(k, new BasicStroke(1.6f));
        }
        int last = report.numClasses();
        renderer.setSeriesPaint(last, Color.GRAY);
        renderer.setSeriesStroke(last, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                new float[] {6f, 6f}, 0f));
        NumberAxis fpr = new NumberAxis("false positive rate");
        fpr.setRange(0, 1);
        NumberAxis tpr = new NumberAxis("true positive rate");
        tpr.setRange(0, 1.0001);
        XYPlot plot = new XYPlot(curves, fpr, tpr, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "%s — macro AUC %.4f", title,
                report.aucMacro()), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, SIZE, SIZE);
    }

    /** White to dark blue, linear in the count. */
    private record Heat(long max) implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return max;
        }

        @Override
        public Paint getPaint(double value) {
            double f = Math.max(0, Math.min(1, value / max));
            return new Color((int) (247 - f * (247 - 8)), (int) (251 - f * (251 - 48)), (int) (255 - f * (255 - 107)));
        }
    }
}

package io.cifarstream.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The run's PNG plots: the loss curve (moving average over batches, as the seed plotted) and test accuracy. */
final class TrainingPlots {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private TrainingPlots() {
    }

    /**
     * Training loss per batch smoothed by a trailing moving average of {@code window} batches, x = epochs
     * (fractional), written to {@code file}.
     */
    static void lossCurve(float[] batchLosses, int batchesPerEpoch, int window, Path file) throws IOException {
        XYSeries series = new XYSeries("train loss (moving average, " + window + " batches)");
        double sum = 0;
        int stride = Math.max(1, batchLosses.length / 2000); // at most ~2000 points: the PNG looks the same
        for (int i = 0; i < batchLosses.length; i++) {
            sum += batchLosses[i];
            if (i >= window) {
                sum -= batchLosses[i - window];
            }
            if (i % stride == 0 || i == batchLosses.length - 1) {
                series.add((i + 1) / (double) batchesPerEpoch, sum / Math.min(i + 1, window));
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Training loss", "epoch", "loss",
                new XYSeriesCollection(series), PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** Test accuracy (percent) after each epoch, written to {@code file}. */
    static void accuracy(List<EpochRecord> history, Path file) throws IOException {
        XYSeries series = new XYSeries("test accuracy");
        for (EpochRecord record : history) {
            series.add(record.epoch(), record.testAccuracy() * 100);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Test accuracy", "epoch", "accuracy (%)",
                new XYSeriesCollection(series), PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}

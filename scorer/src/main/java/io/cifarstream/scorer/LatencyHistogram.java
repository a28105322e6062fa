package io.cifarstream.scorer;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A histogram of values recorded by one thread and read by others (the metrics endpoint, the status line),
 * written to Prometheus as a cumulative histogram with fixed bucket bounds. Recording is allocation-free
 * (an HdrHistogram {@link Recorder}); readers fold the recorder's interval into a running total under a lock.
 */
final class LatencyHistogram {

    private final String name;
    private final String help;
    private final double unit;
    private final long[] bounds;
    private final Recorder recorder;
    private final Histogram total;
    private final LongAdder sum = new LongAdder();
    private Histogram interval;

    /**
     * @param unit   the Prometheus value of one recorded unit, e.g. 1e-6 for microseconds written as seconds
     * @param bounds upper bucket bounds in recorded units, ascending
     */
    LatencyHistogram(String name, String help, double unit, long highest, long... bounds) {
        this.name = name;
        this.help = help;
        this.unit = unit;
        this.bounds = bounds.clone();
        this.recorder = new Recorder(highest, 3);
        this.total = new Histogram(highest, 3);
    }

    /** Records one value; values above the histogram's range count as its highest value. */
    void record(long value) {
        long clamped = Math.max(0, Math.min(value, total.getHighestTrackableValue()));
        recorder.recordValue(clamped);
        sum.add(clamped);
    }

    /** The value at {@code percentile} (0-100) over everything recorded, in recorded units. */
    synchronized long percentile(double percentile) {
        fold();
        return total.getValueAtPercentile(percentile);
    }

    synchronized long count() {
        fold();
        return total.getTotalCount();
    }

    synchronized void writePrometheus(StringBuilder out) {
        fold();
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        for (long bound : bounds) {
            out.append(name).append("_bucket{le=\"").append(format(bound * unit)).append("\"} ")
                    .append(total.getCountBetweenValues(0, bound)).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(total.getTotalCount()).append('\n');
        out.append(name).append("_sum ").append(format(sum.sum() * unit)).append('\n');
        out.append(name).append("_count ").append(total.getTotalCount()).append('\n');
    }

    private void fold() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.6g", value).replaceFirst("\\.?0+($|e)", "$1");
    }
}

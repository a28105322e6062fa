package io.cifarstream.quantization;

/**
 * What calibration saw of one activation tensor: its minimum and maximum, and a histogram of |x| over
 * [0, max |x|] in {@value #BINS} bins of its non-zero values. Exact zeros (half of a ReLU's outputs) stay out of the
 * histogram: zero is exact at any range, and a spike in the first bin would pull every threshold down. Filled in two
 * passes over the same images: {@link #observeRange} first, then {@link #observeHistogram}.
 */
final class ActivationStatistics {
    static final int BINS = 2048;

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private final long[] bins = new long[BINS];
    private long count;

    void observeRange(float[] values, int n) {
        float lo = min;
        float hi = max;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        min = lo;
        max = hi;
    }

    void observeHistogram(float[] values, int n) {
        float width = binWidth();
        if (!(width > 0)) {
            return;
        }
        float perBin = 1f / width;
        long nonZero = 0;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            if (v != 0) {
                int bin = (int) (Math.abs(v) * perBin);
                bins[Math.min(bin, BINS - 1)]++;
                nonZero++;
            }
        }
        count += nonZero;
    }

    float min() {
        return min;
    }

    float max() {
        return max;
    }

    float absMax() {
        return Math.max(Math.abs(min), Math.abs(max));
    }

    float binWidth() {
        return absMax() / BINS;
    }

    /** The histogram of |x| over the non-zero values (shared: read only). */
    long[] bins() {
        return bins;
    }

    /** Non-zero values seen by {@link #observeHistogram}. */
    long count() {
        return count;
    }

    /** Whether the tensor never went below zero (a ReLU's output, say): only its upper end needs a threshold. */
    boolean nonNegative() {
        return min >= 0;
    }
}

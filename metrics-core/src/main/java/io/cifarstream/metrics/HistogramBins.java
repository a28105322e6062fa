package io.cifarstream.metrics;

/**
 * Equal-width bins over {@code [lower, upper]}: edge i is {@code lower + (upper - lower) * i / count} in
 * double arithmetic (so the confidence bins' edges are the doubles nearest {@code i / 15}), and bin i holds
 * the values in {@code (edge_i, edge_{i+1}]}, the convention of the usual expected calibration error. Bin 0
 * also holds {@code edge_0} and anything below, the last bin anything above {@code upper}: every value has
 * a bin.
 *
 * @param lower the lowest edge
 * @param upper the highest edge, above {@code lower}
 * @param count the number of bins, at least 1
 */
public record HistogramBins(double lower, double upper, int count) {

    /** The max calibrated probability: 15 bins of width 1/15, those of the expected calibration error. */
    public static final HistogramBins CONFIDENCE = new HistogramBins(0, 1, 15);
    /** An image's channel mean, pixels scaled to [0, 1]: 20 bins of width 0.05. */
    public static final HistogramBins CHANNEL_MEAN = new HistogramBins(0, 1, 20);
    /** An image's channel standard deviation, pixels scaled to [0, 1] (at most 0.5): 20 bins of width 0.025. */
    public static final HistogramBins CHANNEL_STD = new HistogramBins(0, 0.5, 20);
    /** An image's chroma (at most 1; CIFAR-10's are below 0.5 but for a few): 20 bins of width 0.025 on [0, 0.5]. */
    public static final HistogramBins CHROMA = new HistogramBins(0, 0.5, 20);
    /**
     * An image's detail ratio: 20 bins of width 0.03 on [0.4, 1], where CIFAR-10's images lie (0.53 to 0.82);
     * noisy images beyond 1 share the last bin, blurred ones below 0.4 the first.
     */
    public static final HistogramBins DETAIL = new HistogramBins(0.4, 1, 20);

    public HistogramBins {
        if (!(lower < upper) || Double.isInfinite(lower) || Double.isInfinite(upper) || count < 1) {
            throw new IllegalArgumentException("bins need finite lower < upper and a count of at least 1, got ["
                    + lower + ", " + upper + "] in " + count);
        }
    }

    /** Edge i, {@code 0 <= i <= count}. */
    public double edge(int i) {
        return lower + (upper - lower) * i / count;
    }

    /**
     * The bin of a value: the i with {@code edge_i < value <= edge_{i+1}}, clamped to the first and last bin.
     *
     * @throws IllegalArgumentException for NaN
     */
    public int index(double value) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("NaN has no bin");
        }
        double scaled = Math.ceil((value - lower) / (upper - lower) * count) - 1;
        int bin = (int) Math.max(0, Math.min(count - 1, scaled));
        // The guess can be one off where the division rounds; the edges decide.
        while (bin > 0 && value <= edge(bin)) {
            bin--;
        }
        while (bin < count - 1 && value > edge(bin + 1)) {
            bin++;
        }
        return bin;
    }
}

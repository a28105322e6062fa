package io.cifarstream.quantization;

import java.util.Locale;

/**
 * How an activation's quantization range is chosen from what calibration saw of it. Every method picks a threshold
 * t on |x| and clips the observed [min, max] to [-t, t]; uint8 quantization then spreads 256 levels over the range
 * (with 0 always inside it, so zero stays exact).
 */
public enum CalibrationMethod {
    /** t = max |x|: nothing clipped, coarsest steps. */
    MINMAX,
    /** t = the {@value #PERCENTILE}th percentile of |x|: the rarest outliers clipped. */
    PERCENTILE,
    /**
     * t minimizing the KL divergence between the histogram of |x| and its quantized version (the TensorRT method):
     * clips as much as the distribution's shape allows.
     */
    ENTROPY;

    /** The percentile of {@link #PERCENTILE}. */
    public static final double PERCENTILE_OF_ABS = 99.999;
    /** Quantized levels on one side of zero: 255 for a non-negative tensor in uint8, 128 for a signed one. */
    private static final int LEVELS_NON_NEGATIVE = 255;
    private static final int LEVELS_SIGNED = 128;
    private static final double SMOOTHING = 1e-4;

    /** The command-line and metadata spelling. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CalibrationMethod parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    /** The range to quantize a tensor with. */
    TensorRange range(ActivationStatistics statistics) {
        float t = switch (this) {
            case MINMAX -> statistics.absMax();
            case PERCENTILE -> percentileThreshold(statistics, PERCENTILE_OF_ABS / 100);
            case ENTROPY -> entropyThreshold(statistics);
        };
        return new TensorRange(Math.max(statistics.min(), -t), Math.min(statistics.max(), t));
    }

    private static float percentileThreshold(ActivationStatistics statistics, double share) {
        long[] bins = statistics.bins();
        long wanted = (long) Math.ceil(share * statistics.count());
        long seen = 0;
        for (int i = 0; i < bins.length; i++) {
            seen += bins[i];
            if (seen >= wanted) {
                return (i + 1) * statistics.binWidth();
            }
        }
        return statistics.absMax();
    }

    /**
     * For each candidate threshold bin i: P = the first i bins with everything beyond added to the last, Q = those i
     * bins merged into as many groups as there are quantized levels and spread back evenly over their non-empty bins;
     * the threshold is the i with the least KL(P || Q).
     */
    private static float entropyThreshold(ActivationStatistics statistics) {
        long[] bins = statistics.bins();
        int levels = statistics.nonNegative() ? LEVELS_NON_NEGATIVE : LEVELS_SIGNED;
        if (statistics.binWidth() <= 0 || bins.length <= levels) {
            return statistics.absMax();
        }
        long[] tail = new long[bins.length + 1];
        for (int i = bins.length - 1; i >= 0; i--) {
            tail[i] = tail[i + 1] + bins[i];
        }
        double bestDivergence = Double.POSITIVE_INFINITY;
        int best = bins.length;
        double[] p = new double[bins.length];
        double[] q = new double[bins.length];
        for (int i = levels; i <= bins.length; i++) {
            for (int j = 0; j < i; j++) {
                p[j] = bins[j];
            }
            p[i - 1] += tail[i];
            for (int group = 0; group < levels; group++) {
                int from = (int) ((long) group * i / levels);
                int to = (int) ((long) (group + 1) * i / levels);
                double total = 0;
                int nonEmpty = 0;
                for (int j = from; j < to; j++) {
                    total += bins[j];
                    nonEmpty += bins[j] > 0 ? 1 : 0;
                }
                for (int j = from; j < to; j++) {
                    q[j] = bins[j] > 0 ? total / nonEmpty : 0;
                }
            }
            double divergence = divergence(p, q, i);
            if (divergence < bestDivergence) {
                bestDivergence = divergence;
                best = i;
            }
        }
        return best * statistics.binWidth();
    }

    /** KL(P || Q) over the first n entries, both normalized and smoothed so that no entry is zero. */
    private static double divergence(double[] p, double[] q, int n) {
        smooth(p, n);
        smooth(q, n);
        double kl = 0;
        for (int j = 0; j < n; j++) {
            kl += p[j] * Math.log(p[j] / q[j]);
        }
        return kl;
    }

    /** Normalizes to sum 1, then moves {@value #SMOOTHING} of mass onto each empty entry from the others. */
    private static void smooth(double[] h, int n) {
        double sum = 0;
        int zeros = 0;
        for (int j = 0; j < n; j++) {
            sum += h[j];
            zeros += h[j] == 0 ? 1 : 0;
        }
        if (sum == 0 || zeros == n) {
            for (int j = 0; j < n; j++) {
                h[j] = 1.0 / n;
            }
            return;
        }
        double taken = SMOOTHING * zeros / (n - zeros);
        for (int j = 0; j < n; j++) {
            h[j] = h[j] == 0 ? SMOOTHING : h[j] / sum - taken;
            if (h[j] <= 0) {
                h[j] = SMOOTHING;
            }
        }
    }
}

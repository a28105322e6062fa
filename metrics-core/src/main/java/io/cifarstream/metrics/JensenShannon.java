package io.cifarstream.metrics;

/**
 * The Jensen-Shannon distance between two distributions over the same categories, as
 * {@code scipy.spatial.distance.jensenshannon(p, q)} with its default natural-log base: both weight vectors
 * are normalized to sum 1, {@code m = (p + q) / 2}, and
 * {@code distance = sqrt((KL(p || m) + KL(q || m)) / 2)} with {@code KL(a || b) = sum_k a_k ln(a_k / b_k)}
 * (terms with {@code a_k = 0} count 0). It is a metric, symmetric, 0 for equal distributions and at most
 * {@code sqrt(ln 2) ≈ 0.8326} for disjoint ones. A rounding below 0 inside the square root is taken as 0
 * (scipy would return NaN there). NaN when either side has no weight.
 */
public final class JensenShannon {

    /** {@code sqrt(ln 2)}, the distance of distributions with disjoint supports. */
    public static final double MAX_DISTANCE = Math.sqrt(Math.log(2));

    private JensenShannon() {
    }

    /** The distance between two histograms' shares. */
    public static double distance(long[] p, long[] q) {
        double[] left = new double[p.length];
        double[] right = new double[q.length];
        for (int k = 0; k < p.length; k++) {
            left[k] = p[k];
        }
        for (int k = 0; k < q.length; k++) {
            right[k] = q[k];
        }
        return distance(left, right);
    }

    /**
     * The distance between two distributions given as non-negative weights.
     *
     * @throws IllegalArgumentException for different lengths or a negative, NaN or infinite weight
     */
    public static double distance(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("distributions over " + p.length + " and " + q.length + " categories");
        }
        double pTotal = total(p);
        double qTotal = total(q);
        if (pTotal == 0 || qTotal == 0) {
            return Double.NaN;
        }
        double divergence = 0;
        for (int k = 0; k < p.length; k++) {
            double a = p[k] / pTotal;
            double b = q[k] / qTotal;
            double m = (a + b) / 2;
            divergence += relativeEntropy(a, m) + relativeEntropy(b, m);
        }
        return Math.sqrt(Math.max(0, divergence / 2));
    }

    private static double relativeEntropy(double a, double m) {
        return a == 0 ? 0 : a * Math.log(a / m);
    }

    private static double total(double[] weights) {
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and non-negative, got " + w);
            }
            total += w;
        }
        return total;
    }
}

package io.cifarstream.metrics;

/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected shares, as
 * {@code scipy.stats.chisquare(f_obs, f_exp)} with {@code f_exp} = the shares scaled to the observed total:
 * {@code statistic = sum_k (o_k - e_k)^2 / e_k} and {@code pValue = chi2.sf(statistic, df)} with
 * {@code df = categories - 1}.
 *
 * <p>Categories whose expected share is 0 are not part of the test: where nothing of them is observed they
 * are left out (df shrinks; scipy would return NaN for 0/0), and where something is observed the statistic
 * is +Infinity and the p-value 0 (as scipy). With fewer than two categories left, or nothing observed, the
 * test is undefined: statistic 0 and p-value NaN.
 *
 * @param statistic         Pearson's statistic
 * @param degreesOfFreedom  categories in the test minus 1
 * @param pValue            the probability of a statistic at least this large under the expected shares
 */
public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {

    /**
     * The test of {@code observed} counts against shares proportional to {@code expected} (any non-negative
     * weights: counts or shares).
     *
     * @throws IllegalArgumentException for arrays of different lengths, a negative value, or expected weights
     *         that are all 0
     */
    public static ChiSquare goodnessOfFit(long[] observed, double[] expected) {
        if (observed.length != expected.length) {
            throw new IllegalArgumentException(observed.length + " observed categories but " + expected.length
                    + " expected");
        }
        long total = 0;
        double expectedTotal = 0;
        for (int k = 0; k < observed.length; k++) {
            if (observed[k] < 0 || !(expected[k] >= 0) || Double.isInfinite(expected[k])) {
                throw new IllegalArgumentException("counts and expected weights must be finite and non-negative, category "
                        + k + ": " + observed[k] + ", " + expected[k]);
            }
            total = Math.addExact(total, observed[k]);
            expectedTotal += expected[k];
        }
        if (!(expectedTotal > 0)) {
            throw new IllegalArgumentException("the expected weights are all 0");
        }
        double statistic = 0;
        int categories = 0;
        for (int k = 0; k < observed.length; k++) {
            double e = total * (expected[k] / expectedTotal);
            if (expected[k] == 0) {
                if (observed[k] > 0) {
                    statistic = Double.POSITIVE_INFINITY;
                    categories++;
                }
                continue;
            }
            double difference = observed[k] - e;
            statistic += difference * difference / e;
            categories++;
        }
        if (total == 0 || categories < 2) {
            return new ChiSquare(0, Math.max(0, categories - 1), Double.NaN);
        }
        int df = categories - 1;
        return new ChiSquare(statistic, df, survival(statistic, df));
    }

    /** {@code P(X >= x)} for X chi-square with {@code df} degrees of freedom: {@code Q(df/2, x/2)}. */
    public static double survival(double x, int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, got " + df);
        }
        return x <= 0 ? 1 : IncompleteGamma.upper(df / 2.0, x / 2);
    }

    /**
     * The statistic whose survival is {@code alpha} (scipy's {@code chi2.isf(alpha, df)}): a test is
     * significant at level alpha exactly when its statistic exceeds this. Found by bisection to a relative
     * 1e-14.
     */
    public static double criticalValue(double alpha, int df) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        double low = 0;
        double high = Math.max(1, df);
        while (survival(high, df) > alpha) {
            low = high;
            high *= 2;
        }
        while (high - low > 1e-14 * high) {
            double middle = (low + high) / 2;
            if (survival(middle, df) > alpha) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return (low + high) / 2;
    }
}

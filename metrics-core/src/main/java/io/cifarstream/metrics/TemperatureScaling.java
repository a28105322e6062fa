package io.cifarstream.metrics;

/**
 * Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): one temperature T for
 * all classes, fitted on labelled reference predictions, that makes {@code softmax(l / T)} as likely as
 * possible. A model's log-probabilities are its logits up to a constant per row, which the softmax ignores,
 * so T applies to them directly; T does not change the arg-max, only the confidence (T > 1 softens an
 * over-confident model).
 *
 * <h2>The fit</h2>
 * T minimizes the mean negative log-likelihood over the reference records (label y, log-probs l, m = max l)
 * <pre>
 *   NLL(T) = mean_i [ ln sum_k exp((l_ik - m_i) / T) - (max(l_iy, ln Double.MIN_VALUE) - m_i) / T ]
 * </pre>
 * (-Infinity log-probs add nothing to the sum; a true class at -Infinity costs the floor, as in
 * {@link ClassificationAccumulator}). As a function of {@code β = 1/T} each term is a log-sum-exp of linear
 * functions minus a linear one, so NLL is convex in β and its derivative
 * {@code mean_i [ sum_k p_ik (l_ik - m_i) - (l_iy - m_i) ]} (expected minus true log-probability, p at β)
 * increases with β. The minimum is the one zero of that derivative: found by bisection on ln T over
 * [{@value #MIN_TEMPERATURE}, {@value #MAX_TEMPERATURE}] down to adjacent doubles, which cannot miss it the
 * way a golden-section or Newton step can on flat or badly scaled data. Where the derivative has one sign
 * over the whole range (e.g. every reference prediction right and sure) the nearer end is returned.
 */
public final class TemperatureScaling {

    public static final double MIN_TEMPERATURE = 0.01;
    public static final double MAX_TEMPERATURE = 100;

    private TemperatureScaling() {
    }

    /**
     * The temperature that minimizes the reference NLL.
     *
     * @param labels   true classes, one per record
     * @param logProbs the model's log-probabilities (or logits), one row per record
     * @throws IllegalArgumentException for no records, mismatched lengths, a label out of range, a NaN or
     *         +Infinity, or a row of -Infinity
     */
    public static double fit(int[] labels, float[][] logProbs) {
        requireRecords(labels, logProbs);
        double low = Math.log(MIN_TEMPERATURE);
        double high = Math.log(MAX_TEMPERATURE);
        // slope(T) has the sign of d NLL / d β; it decreases as T grows.
        if (slope(Math.exp(high), labels, logProbs) >= 0) {
            return MAX_TEMPERATURE;
        }
        if (slope(Math.exp(low), labels, logProbs) <= 0) {
            return MIN_TEMPERATURE;
        }
        while (true) {
            double middle = (low + high) / 2;
            if (middle <= low || middle >= high) {
                return Math.exp(middle);
            }
            if (slope(Math.exp(middle), labels, logProbs) > 0) {
                low = middle;
            } else {
                high = middle;
            }
        }
    }

    /** The mean negative log-likelihood of {@code softmax(l / T)} (see the class doc). */
    public static double negativeLogLikelihood(double temperature, int[] labels, float[][] logProbs) {
        requireRecords(labels, logProbs);
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            float[] row = logProbs[i];
            double max = max(row);
            double normalizer = 0;
            for (float l : row) {
                normalizer += l == Float.NEGATIVE_INFINITY ? 0 : StrictMath.exp((l - max) / temperature);
            }
            double truth = Math.max(row[labels[i]], ClassificationAccumulator.LOG_PROB_FLOOR);
            sum += StrictMath.log(normalizer) - (truth - max) / temperature;
        }
        return sum / labels.length;
    }

    /** The mean of (expected minus true log-probability) under softmax(l / T): d NLL / d(1/T). */
    private static double slope(double temperature, int[] labels, float[][] logProbs) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            float[] row = logProbs[i];
            double max = max(row);
            double normalizer = 0;
            double weighted = 0;
            for (float l : row) {
                if (l != Float.NEGATIVE_INFINITY) {
                    double e = StrictMath.exp((l - max) / temperature);
                    normalizer += e;
                    weighted += e * (l - max);
                }
            }
            double truth = Math.max(row[labels[i]], ClassificationAccumulator.LOG_PROB_FLOOR);
            sum += weighted / normalizer - (truth - max);
        }
        return sum / labels.length;
    }

    private static double max(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : row) {
            max = Math.max(max, l);
        }
        return max;
    }

    private static void requireRecords(int[] labels, float[][] logProbs) {
        if (labels.length == 0 || labels.length != logProbs.length) {
            throw new IllegalArgumentException("a fit needs records with one label each: " + labels.length
                    + " labels, " + logProbs.length + " rows");
        }
        int classes = logProbs[0].length;
        for (int i = 0; i < labels.length; i++) {
            float[] row = logProbs[i];
            if (row.length != classes || labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("record " + i + ": label " + labels[i] + " with " + row.length
                        + " log-probabilities (every row needs " + classes + ", labels 0.." + (classes - 1) + ")");
            }
            boolean finite = false;
            for (float l : row) {
                if (Float.isNaN(l) || l == Float.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("record " + i + " has a log-probability of " + l);
                }
                finite |= l != Float.NEGATIVE_INFINITY;
            }
            if (!finite) {
                throw new IllegalArgumentException("record " + i + " is -Infinity in every class");
            }
        }
    }
}

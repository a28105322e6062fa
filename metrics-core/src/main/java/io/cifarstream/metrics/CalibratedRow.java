package io.cifarstream.metrics;

/**
 * The temperature-scaled probabilities of one prediction, recomputed in place for each record so that an
 * accumulator allocates nothing per record.
 *
 * <p>For log-probabilities {@code l} (any row of logits works too: the result does not change when a
 * constant is added to the row) and temperature T: {@code m = max_k l_k},
 * {@code e_k = StrictMath.exp(((double) l_k - m) / T)} ({@code 0} for {@code l_k = -Infinity}),
 * {@code p_k = e_k / sum_j e_j} (the sum in class order). The prediction is the arg-max of {@code l}, the
 * lowest class on a tie (as {@code numpy.argmax}); its probability, the confidence, is
 * {@code 1 / sum_j e_j}. The negative entropy is {@code sum_k p_k ln p_k} over the classes with
 * {@code p_k > 0}, with {@code ln p_k = (l_k - m) / T - StrictMath.log(sum_j e_j)}: in {@code [-ln K, 0]}, 0 for
 * a certain prediction. StrictMath makes every JVM derive the same bits, which exact removal relies on.
 */
final class CalibratedRow {

    final double temperature;
    final double[] probabilities;
    /** Fixed-point units of {@link #probabilities} (see {@link FixedPointSums}). */
    final long[] units;
    int predicted;
    double confidence;
    double negativeEntropy;

    CalibratedRow(int numClasses, double temperature) {
        if (!(temperature > 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("a temperature must be positive and finite, got " + temperature);
        }
        this.temperature = temperature;
        this.probabilities = new double[numClasses];
        this.units = new long[numClasses];
    }

    /**
     * Computes the calibrated probabilities of a prediction.
     *
     * @throws IllegalArgumentException for a wrong length, a NaN or +Infinity, or no finite value
     */
    CalibratedRow set(float[] logProbs) {
        int n = probabilities.length;
        if (logProbs == null || logProbs.length != n) {
            throw new IllegalArgumentException("expected " + n + " log-probabilities, got "
                    + (logProbs == null ? "null" : logProbs.length));
        }
        int best = 0;
        for (int k = 0; k < n; k++) {
            float value = logProbs[k];
            if (Float.isNaN(value) || value == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("log-probability of class " + k + " is " + value
                        + "; a finite value or -Infinity is required");
            }
            if (value > logProbs[best]) {
                best = k;
            }
        }
        double max = logProbs[best];
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every log-probability is -Infinity");
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            double e = logProbs[k] == Float.NEGATIVE_INFINITY ? 0 : StrictMath.exp((logProbs[k] - max) / temperature);
            probabilities[k] = e;
            sum += e;
        }
        double logSum = StrictMath.log(sum);
        double entropy = 0;
        for (int k = 0; k < n; k++) {
            probabilities[k] /= sum;
            units[k] = FixedPointSums.units(probabilities[k]);
            if (probabilities[k] > 0) {
                entropy += probabilities[k] * ((logProbs[k] - max) / temperature - logSum);
            }
        }
        predicted = best;
        confidence = probabilities[best];
        negativeEntropy = entropy;
        return this;
    }
}

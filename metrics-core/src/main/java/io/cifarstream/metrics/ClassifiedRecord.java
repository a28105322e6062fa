package io.cifarstream.metrics;

/**
 * One record as a {@link ClassificationAccumulator} counts it, derived once from its true label and
 * log-probabilities (see the accumulator's class doc for the definitions): the arg-max prediction, the
 * float32 ROC score of every class, and the negative log-likelihood in units of 2^-40 nats. A view that
 * counts the same record in several accumulators (cumulative, a window pane, the last N) classifies it
 * once. Immutable.
 */
public final class ClassifiedRecord {

    private static final double NLL_SCALE = 0x1p40;

    private final int label;
    private final int predicted;
    /** Read by the accumulator only; never handed out, so the record stays immutable. */
    final float[] scores;
    final long nllUnits;

    private ClassifiedRecord(int label, int predicted, float[] scores, long nllUnits) {
        this.label = label;
        this.predicted = predicted;
        this.scores = scores;
        this.nllUnits = nllUnits;
    }

    /**
     * Classifies a record of {@code numClasses} classes.
     *
     * @throws IllegalArgumentException for a bad record: a label out of range, a wrong length, a NaN or
     *         +infinity, or log-probabilities that are not a log-softmax output
     */
    public static ClassifiedRecord of(int numClasses, int label, float[] logProbs) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("label " + label + " is outside 0.." + (numClasses - 1));
        }
        if (logProbs == null || logProbs.length != numClasses) {
            throw new IllegalArgumentException("expected " + numClasses + " log-probabilities, got "
                    + (logProbs == null ? "null" : logProbs.length));
        }
        int predicted = 0;
        double probabilitySum = 0;
        float[] scores = new float[numClasses];
        for (int k = 0; k < numClasses; k++) {
            float logProb = logProbs[k];
            if (Float.isNaN(logProb) || logProb == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("log-probability of class " + k + " is " + logProb
                        + "; reject such records at the edge (a finite value or -Infinity is required)");
            }
            if (logProb > logProbs[predicted]) {
                predicted = k;
            }
            double probability = StrictMath.exp((double) logProb);
            probabilitySum += probability;
            scores[k] = cappedScore(probability);
        }
        double logSum = StrictMath.log(probabilitySum);
        if (!(Math.abs(logSum) <= ClassificationAccumulator.NORMALIZATION_TOLERANCE)) {
            throw new IllegalArgumentException("log-probabilities must be a log-softmax output (probabilities"
                    + " summing to 1); their exps sum to " + probabilitySum + " - pass log_softmax(logits),"
                    + " not raw logits");
        }
        double nll = logSum - Math.max((double) logProbs[label], ClassificationAccumulator.LOG_PROB_FLOOR);
        return new ClassifiedRecord(label, predicted, scores, Math.round(nll * NLL_SCALE));
    }

    static float cappedScore(double probability) {
        return (float) Math.min(1.0, probability);
    }

    public int numClasses() {
        return scores.length;
    }

    /** The true class. */
    public int label() {
        return label;
    }

    /** The arg-max of the log-probabilities, the lowest class on a tie (as numpy.argmax). */
    public int predicted() {
        return predicted;
    }

    /** Class k's ROC score, {@code (float) exp(logProb[k])} capped at 1. */
    public float score(int k) {
        return scores[k];
    }
}

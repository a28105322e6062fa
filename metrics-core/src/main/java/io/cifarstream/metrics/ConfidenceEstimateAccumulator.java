package io.cifarstream.metrics;

import java.nio.ByteBuffer;

/**
 * Mutable state of the label-free estimates over a view of predictions (see {@link ConfidenceEstimate} for
 * the definitions): the count, the predictions per class, how many confidences are above the ATC threshold and
 * how many negative entropies above the ATC entropy threshold, and the estimated confusion matrix, whose cells are sums of calibrated probabilities in
 * {@link FixedPointSums} (each probability within 2^-53, the sums exact). Predictions can be added,
 * removed (a last-N view) and states merged (window panes): all exact and order-free, so a state that
 * added and removed a record holds the same bits as one that never saw it. No label is ever read.
 *
 * <p>Add and remove allocate nothing. Not thread-safe.
 */
public final class ConfidenceEstimateAccumulator {

    private static final byte FORMAT = 2;

    private final CalibrationKey key;
    private final CalibratedRow row;
    private final long[] predicted;
    /** Cell (t, p) at index {@code t * n + p}: rows = estimated true class, columns = predicted. */
    private final FixedPointSums expected;
    private long count;
    private long aboveThreshold;
    private long aboveEntropyThreshold;

    /** An empty state for predictions calibrated by {@code calibration}. */
    public ConfidenceEstimateAccumulator(Calibration calibration) {
        this(CalibrationKey.of(calibration));
    }

    private ConfidenceEstimateAccumulator(CalibrationKey key) {
        this(key, 0, 0, 0, new long[key.numClasses()], new FixedPointSums(key.numClasses() * key.numClasses()));
    }

    private ConfidenceEstimateAccumulator(CalibrationKey key, long count, long aboveThreshold,
            long aboveEntropyThreshold, long[] predicted, FixedPointSums expected) {
        this.key = key;
        this.row = key.newRow();
        this.count = count;
        this.aboveThreshold = aboveThreshold;
        this.aboveEntropyThreshold = aboveEntropyThreshold;
        this.predicted = predicted;
        this.expected = expected;
    }

    /** An independent copy of this state. */
    public ConfidenceEstimateAccumulator copy() {
        return new ConfidenceEstimateAccumulator(key, count, aboveThreshold, aboveEntropyThreshold, predicted.clone(),
                expected.copy());
    }

    /**
     * Counts one prediction.
     *
     * @throws IllegalArgumentException for a wrong length, a NaN or +Infinity, or a row of -Infinity; nothing
     *         changes then
     */
    public void add(float[] logProbs) {
        add(row.set(logProbs));
    }

    /**
     * Counts one prediction calibrated beforehand: the same as {@link #add(float[])} of its log-probabilities.
     *
     * @throws IllegalArgumentException if it was calibrated with another class count or temperature
     */
    public void add(CalibratedPrediction prediction) {
        add(prediction.rowFor(key));
    }

    private void add(CalibratedRow calibrated) {
        int p = calibrated.predicted;
        predicted[p] = Math.addExact(predicted[p], 1);
        count++;
        if (calibrated.confidence > key.atcThreshold()) {
            aboveThreshold++;
        }
        if (calibrated.negativeEntropy > key.atcEntropyThreshold()) {
            aboveEntropyThreshold++;
        }
        int n = key.numClasses();
        for (int t = 0; t < n; t++) {
            expected.add(t * n + p, calibrated.units[t]);
        }
    }

    /**
     * Uncounts one prediction that was added with the same log-probabilities.
     *
     * @throws IllegalArgumentException for a bad prediction
     * @throws IllegalStateException if the view cannot hold such a prediction (a count or sum would go below 0);
     *         nothing changes then. The state holds sums, not predictions, so removing one that was never added
     *         but resembles those in view goes unnoticed: remove only what was added
     */
    public void remove(float[] logProbs) {
        row.set(logProbs);
        int p = row.predicted;
        int n = key.numClasses();
        boolean above = row.confidence > key.atcThreshold();
        boolean aboveEntropy = row.negativeEntropy > key.atcEntropyThreshold();
        boolean present = predicted[p] > 0 && (!above || aboveThreshold > 0)
                && (!aboveEntropy || aboveEntropyThreshold > 0);
        for (int t = 0; t < n && present; t++) {
            present = expected.covers(t * n + p, row.units[t]);
        }
        if (!present) {
            throw new IllegalStateException("cannot remove a prediction of class " + p
                    + " that is not in view (remove only predictions that were added)");
        }
        predicted[p]--;
        count--;
        if (above) {
            aboveThreshold--;
        }
        if (aboveEntropy) {
            aboveEntropyThreshold--;
        }
        for (int t = 0; t < n; t++) {
            expected.subtract(t * n + p, row.units[t]);
        }
    }

    /**
     * Adds every prediction of {@code other} (the union of both views).
     *
     * @throws IllegalArgumentException if {@code other} was calibrated differently
     */
    public void merge(ConfidenceEstimateAccumulator other) {
        key.requireSame(other.key, "merge");
        for (int k = 0; k < predicted.length; k++) {
            predicted[k] = Math.addExact(predicted[k], other.predicted[k]);
        }
        count = Math.addExact(count, other.count);
        aboveThreshold = Math.addExact(aboveThreshold, other.aboveThreshold);
        aboveEntropyThreshold = Math.addExact(aboveEntropyThreshold, other.aboveEntropyThreshold);
        expected.addAll(other.expected);
    }

    /** Predictions in view. */
    public long count() {
        return count;
    }

    /** The estimates of the predictions in view. */
    public ConfidenceEstimate snapshot() {
        int n = key.numClasses();
        double[][] confusion = new double[n][n];
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                confusion[t][p] = expected.value(t * n + p);
            }
        }
        return ConfidenceEstimate.of(count, aboveThreshold, aboveEntropyThreshold, confusion);
    }

    // ---- bytes -----------------------------------------------------------------------------------

    /** The exact length of {@link #toBytes()}. */
    public int sizeBytes() {
        int bytes = StateFormat.headerBytes(count) + Leb128.size(aboveThreshold) + Leb128.size(aboveEntropyThreshold);
        for (long c : predicted) {
            bytes += Leb128.size(c);
        }
        return bytes + expected.sizeBytes();
    }

    /**
     * The binary form for a state store: a format byte, the calibration key (class count, temperature,
     * thresholds), the count and the two above-threshold counts (varints), the predictions per class (varints),
     * then the confusion cells row by row (128-bit varints of 2^-52 units).
     */
    public byte[] toBytes() {
        ByteBuffer out = StateFormat.start(sizeBytes(), FORMAT, key, count);
        Leb128.write(out, aboveThreshold);
        Leb128.write(out, aboveEntropyThreshold);
        for (long c : predicted) {
            Leb128.write(out, c);
        }
        expected.write(out);
        return out.array();
    }

    /**
     * Reads a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state
     */
    public static ConfidenceEstimateAccumulator fromBytes(byte[] bytes) {
        return StateFormat.read(bytes, FORMAT, "ConfidenceEstimateAccumulator", (key, count, in) -> {
            long above = Leb128.read(in);
            long aboveEntropy = Leb128.read(in);
            if (above < 0 || above > count || aboveEntropy < 0 || aboveEntropy > count) {
                throw new IllegalArgumentException(above + " and " + aboveEntropy
                        + " predictions above the thresholds out of " + count);
            }
            long[] predicted = StateFormat.readCounts(in, key.numClasses(), count, "predictions per class");
            FixedPointSums expected = FixedPointSums.read(in, key.numClasses() * key.numClasses());
            return new ConfidenceEstimateAccumulator(key, count, above, aboveEntropy, predicted, expected);
        });
    }

    @Override
    public String toString() {
        return "ConfidenceEstimateAccumulator[" + key + ", count=" + count + "]";
    }
}

package io.cifarstream.metrics;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutable state of the calibration metrics over a view of labelled predictions (see
 * {@link CalibrationError} for the definitions): per confidence bin the count, the right predictions and
 * the sum of confidences; per class the sum of squared errors {@code (p_k - y_k)^2}. The sums are
 * {@link FixedPointSums} (each term within 2^-53, the sums exact), so add, remove (a last-N view) and merge
 * (window panes) are exact and order-free.
 *
 * <p>Add and remove allocate nothing. Not thread-safe.
 */
public final class CalibrationErrorAccumulator {

    private static final byte FORMAT = 2;
    private static final HistogramBins BINS = HistogramBins.CONFIDENCE;

    private final CalibrationKey key;
    private final CalibratedRow row;
    private final long[] binCount;
    private final long[] binCorrect;
    private final FixedPointSums binConfidence;
    private final FixedPointSums squaredError;
    private long count;

    /** An empty state for predictions calibrated by {@code calibration}. */
    public CalibrationErrorAccumulator(Calibration calibration) {
        this(CalibrationKey.of(calibration), 0, new long[BINS.count()], new long[BINS.count()],
                new FixedPointSums(BINS.count()), new FixedPointSums(calibration.numClasses()));
    }

    private CalibrationErrorAccumulator(CalibrationKey key, long count, long[] binCount, long[] binCorrect,
            FixedPointSums binConfidence, FixedPointSums squaredError) {
        this.key = key;
        this.row = key.newRow();
        this.count = count;
        this.binCount = binCount;
        this.binCorrect = binCorrect;
        this.binConfidence = binConfidence;
        this.squaredError = squaredError;
    }

    /** An independent copy of this state. */
    public CalibrationErrorAccumulator copy() {
        return new CalibrationErrorAccumulator(key, count, binCount.clone(), binCorrect.clone(), binConfidence.copy(),
                squaredError.copy());
    }

    /**
     * Counts one labelled prediction.
     *
     * @throws IllegalArgumentException for a label out of range or a bad prediction; nothing changes then
     */
    public void add(int label, float[] logProbs) {
        requireLabel(label);
        add(label, row.set(logProbs));
    }

    /**
     * Counts one labelled prediction calibrated beforehand: the same as {@link #add(int, float[])} of its
     * log-probabilities.
     *
     * @throws IllegalArgumentException for a label out of range, or a prediction calibrated with another class
     *         count or temperature; nothing changes then
     */
    public void add(int label, CalibratedPrediction prediction) {
        requireLabel(label);
        add(label, prediction.rowFor(key));
    }

    private void add(int label, CalibratedRow calibrated) {
        int bin = BINS.index(calibrated.confidence);
        binCount[bin] = Math.addExact(binCount[bin], 1);
        count++;
        if (calibrated.predicted == label) {
            binCorrect[bin]++;
        }
        binConfidence.add(bin, calibrated.units[calibrated.predicted]);
        for (int k = 0; k < calibrated.units.length; k++) {
            squaredError.add(k, squaredErrorUnits(calibrated, k, label));
        }
    }

    /**
     * Uncounts one labelled prediction that was added with the same label and log-probabilities.
     *
     * @throws IllegalArgumentException for a bad record
     * @throws IllegalStateException if the view cannot hold such a record (a count or sum would go below 0);
     *         nothing changes then. The state holds sums, not records: remove only what was added
     */
    public void remove(int label, float[] logProbs) {
        int bin = classify(label, logProbs);
        boolean correct = row.predicted == label;
        boolean present = binCount[bin] > 0 && (!correct || binCorrect[bin] > 0)
                && binConfidence.covers(bin, row.units[row.predicted]);
        for (int k = 0; k < row.units.length && present; k++) {
            present = squaredError.covers(k, squaredErrorUnits(row, k, label));
        }
        if (!present) {
            throw new IllegalStateException("cannot remove a record of class " + label
                    + " that is not in view (remove only records that were added)");
        }
        binCount[bin]--;
        count--;
        if (correct) {
            binCorrect[bin]--;
        }
        binConfidence.subtract(bin, row.units[row.predicted]);
        for (int k = 0; k < row.units.length; k++) {
            squaredError.subtract(k, squaredErrorUnits(row, k, label));
        }
    }

    /** Calibrates the record into {@link #row} and returns its confidence bin. */
    private int classify(int label, float[] logProbs) {
        requireLabel(label);
        row.set(logProbs);
        return BINS.index(row.confidence);
    }

    private void requireLabel(int label) {
        if (label < 0 || label >= key.numClasses()) {
            throw new IllegalArgumentException("label " + label + " is outside 0.." + (key.numClasses() - 1));
        }
    }

    private static long squaredErrorUnits(CalibratedRow calibrated, int k, int label) {
        double error = calibrated.probabilities[k] - (k == label ? 1 : 0);
        return FixedPointSums.units(error * error);
    }

    /**
     * Adds every record of {@code other} (the union of both views).
     *
     * @throws IllegalArgumentException if {@code other} was calibrated differently
     */
    public void merge(CalibrationErrorAccumulator other) {
        key.requireSame(other.key, "merge");
        for (int b = 0; b < binCount.length; b++) {
            binCount[b] = Math.addExact(binCount[b], other.binCount[b]);
            binCorrect[b] = Math.addExact(binCorrect[b], other.binCorrect[b]);
        }
        count = Math.addExact(count, other.count);
        binConfidence.addAll(other.binConfidence);
        squaredError.addAll(other.squaredError);
    }

    /** Records in view. */
    public long count() {
        return count;
    }

    /** The calibration metrics of the records in view. */
    public CalibrationError snapshot() {
        double n = count == 0 ? Double.NaN : count;
        long correct = 0;
        double confidence = 0;
        double gap = 0;
        List<ReliabilityBin> reliability = new ArrayList<>(binCount.length);
        for (int b = 0; b < binCount.length; b++) {
            double binSum = binConfidence.value(b);
            correct += binCorrect[b];
            confidence += binSum;
            gap += Math.abs(binCorrect[b] - binSum);
            double binN = binCount[b] == 0 ? Double.NaN : binCount[b];
            reliability.add(new ReliabilityBin(BINS.edge(b), BINS.edge(b + 1), binCount[b], binSum / binN,
                    binCorrect[b] / binN));
        }
        List<Double> brierPerClass = new ArrayList<>(key.numClasses());
        double brierSum = 0;
        for (int k = 0; k < key.numClasses(); k++) {
            brierPerClass.add(squaredError.value(k) / n);
            brierSum += squaredError.value(k);
        }
        double brier = brierSum / n;
        return new CalibrationError(count, correct / n, confidence / n, gap / n, brier, brier / key.numClasses(),
                brierPerClass, reliability);
    }

    // ---- bytes -----------------------------------------------------------------------------------

    /** The exact length of {@link #toBytes()}. */
    public int sizeBytes() {
        int bytes = StateFormat.headerBytes(count);
        for (int b = 0; b < binCount.length; b++) {
            bytes += Leb128.size(binCount[b]) + Leb128.size(binCorrect[b]);
        }
        return bytes + binConfidence.sizeBytes() + squaredError.sizeBytes();
    }

    /**
     * The binary form for a state store: a format byte, the calibration key, the count, per bin its count
     * then its right predictions (varints), the bins' confidence sums, then the classes' squared-error sums
     * (128-bit varints of 2^-52 units).
     */
    public byte[] toBytes() {
        ByteBuffer out = StateFormat.start(sizeBytes(), FORMAT, key, count);
        for (int b = 0; b < binCount.length; b++) {
            Leb128.write(out, binCount[b]);
            Leb128.write(out, binCorrect[b]);
        }
        binConfidence.write(out);
        squaredError.write(out);
        return out.array();
    }

    /**
     * Reads a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state
     */
    public static CalibrationErrorAccumulator fromBytes(byte[] bytes) {
        return StateFormat.read(bytes, FORMAT, "CalibrationErrorAccumulator", (key, count, in) -> {
            long[] binCount = new long[BINS.count()];
            long[] binCorrect = new long[BINS.count()];
            long total = 0;
            for (int b = 0; b < binCount.length; b++) {
                binCount[b] = Leb128.read(in);
                binCorrect[b] = Leb128.read(in);
                if (binCount[b] < 0 || binCorrect[b] < 0 || binCorrect[b] > binCount[b]) {
                    throw new IllegalArgumentException("bin " + b + " has " + binCorrect[b] + " right of " + binCount[b]);
                }
                total += binCount[b];
            }
            if (total != count) {
                throw new IllegalArgumentException("bins hold " + total + " records but the count is " + count);
            }
            FixedPointSums binConfidence = FixedPointSums.read(in, BINS.count());
            FixedPointSums squaredError = FixedPointSums.read(in, key.numClasses());
            return new CalibrationErrorAccumulator(key, count, binCount, binCorrect, binConfidence, squaredError);
        });
    }

    @Override
    public String toString() {
        return "CalibrationErrorAccumulator[" + key + ", count=" + count + "]";
    }
}

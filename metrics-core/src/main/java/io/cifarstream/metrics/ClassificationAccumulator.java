package io.cifarstream.metrics;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutable aggregation state for classified records: the count, the confusion counts, the sum of
 * negative log-likelihoods and one {@link RocSketch} per class. Records can be added, removed (a
 * last-N view) and states merged (partitions, windows); {@link #snapshot()} freezes it into a
 * {@link ClassificationReport}. Serializable with {@link #toBytes()} for a state store.
 *
 * <h2>A record</h2>
 * A true label in {@code 0..n-1} and the classifier's natural-log probabilities, one per class (a
 * log-softmax output). The edge must reject bad records; here they throw
 * {@link IllegalArgumentException} before anything changes: a label out of range, a wrong length, a
 * NaN or +infinity, or log-probabilities whose probabilities do not sum to 1 within
 * {@value #NORMALIZATION_TOLERANCE} in log space (raw logits passed by mistake). -infinity is a valid
 * log-probability (probability 0 after underflow).
 *
 * <h2>Derived per record</h2>
 * <ul>
 *   <li>prediction: the arg-max of the log-probabilities, the lowest class on a tie (as numpy.argmax);</li>
 *   <li>ROC score of class k: {@code (float) StrictMath.exp((double) logProb[k])}, capped at 1.0f (a
 *       log-probability a rounding above 0 would give 1.0000001f); StrictMath so that every JVM derives
 *       the same key, which a remove on another instance relies on;</li>
 *   <li>negative log-likelihood, as sklearn's {@code log_loss}, which renormalizes each row:
 *       {@code nll = ln(sum_j exp(l_j)) - max(l_true, ln(Double.MIN_VALUE))}. For a log-softmax output
 *       the first term is 0 up to float32 rounding, so this is {@code -logProb[true]}. There is no
 *       clipping like sklearn's {@code eps} (2.2e-16, which caps a record at 36.04 nats); the one
 *       floor is ln(Double.MIN_VALUE) = -744.44: a true-class probability of 0 (-infinity) or below
 *       the smallest double counts as that, so a record costs at most about 744.44 nats and the sum
 *       stays finite.</li>
 * </ul>
 *
 * <h2>Exact sums</h2>
 * Each record's NLL is rounded to a multiple of 2^-40 nats and summed in a 128-bit integer, so add,
 * remove and merge are exact and order-free (no drift in a sliding view); the log-loss is within
 * 2^-41 ≈ 4.5e-13 of the unrounded mean.
 *
 * <p>Not thread-safe.
 */
public final class ClassificationAccumulator {

    /** Largest accepted |ln(sum of probabilities)| of a record. */
    public static final double NORMALIZATION_TOLERANCE = 1e-3;
    /** ln(Double.MIN_VALUE): the floor of a true-class log-probability in the log-loss. */
    public static final double LOG_PROB_FLOOR = StrictMath.log(Double.MIN_VALUE);
    /** Default number of points per class in a report's ROC curves. */
    public static final int DEFAULT_ROC_POINTS = 256;

    private static final byte FORMAT = 1;
    private static final double NLL_UNIT = 0x1p-40;

    private final int numClasses;
    private final long[][] confusion;
    private final RocSketch[] rocs;
    private long count;
    private Int128 nllUnits = Int128.ZERO;

    /** An empty state for {@code numClasses} classes, ROC sketches exact up to the default limit. */
    public ClassificationAccumulator(int numClasses) {
        this(numClasses, RocSketch.DEFAULT_CELL_LIMIT);
    }

    /** An empty state whose ROC sketches stay exact up to {@code rocCellLimit} distinct scores each. */
    public ClassificationAccumulator(int numClasses, int rocCellLimit) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classification needs at least 2 classes, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.confusion = new long[numClasses][numClasses];
        this.rocs = new RocSketch[numClasses];
        for (int k = 0; k < numClasses; k++) {
            rocs[k] = new RocSketch(rocCellLimit);
        }
    }

    private ClassificationAccumulator(int numClasses, RocSketch[] rocs) {
        this.numClasses = numClasses;
        this.confusion = new long[numClasses][numClasses];
        this.rocs = rocs;
    }

    /** An independent copy of this state. */
    public ClassificationAccumulator copy() {
        RocSketch[] copies = new RocSketch[numClasses];
        for (int k = 0; k < numClasses; k++) {
            copies[k] = rocs[k].copy();
        }
        ClassificationAccumulator copy = new ClassificationAccumulator(numClasses, copies);
        for (int t = 0; t < numClasses; t++) {
            System.arraycopy(confusion[t], 0, copy.confusion[t], 0, numClasses);
        }
        copy.count = count;
        copy.nllUnits = nllUnits;
        return copy;
    }

    /**
     * Counts one record.
     *
     * @throws IllegalArgumentException for a bad record (see class doc); nothing changes then
     */
    public void add(int label, float[] logProbs) {
        add(ClassifiedRecord.of(numClasses, label, logProbs));
    }

    /**
     * Counts one record classified beforehand: a view that adds the same record to several accumulators
     * derives its scores once.
     *
     * @throws IllegalArgumentException if the record has another number of classes
     */
    public void add(ClassifiedRecord record) {
        requireClasses(record);
        int label = record.label();
        confusion[label][record.predicted()] = Math.addExact(confusion[label][record.predicted()], 1);
        count++;
        nllUnits = nllUnits.plus(record.nllUnits);
        for (int k = 0; k < numClasses; k++) {
            rocs[k].add(record.scores[k], k == label);
        }
    }

    /**
     * Uncounts one record that was added with the same label and log-probabilities.
     *
     * @throws IllegalArgumentException for a bad record
     * @throws IllegalStateException if no such record is in view; nothing changes then
     */
    public void remove(int label, float[] logProbs) {
        remove(ClassifiedRecord.of(numClasses, label, logProbs));
    }

    /**
     * Uncounts one record that was added with the same label and log-probabilities.
     *
     * @throws IllegalArgumentException if the record has another number of classes
     * @throws IllegalStateException if no such record is in view; nothing changes then
     */
    public void remove(ClassifiedRecord record) {
        requireClasses(record);
        int label = record.label();
        boolean present = confusion[label][record.predicted()] > 0;
        for (int k = 0; k < numClasses && present; k++) {
            present = rocs[k].contains(record.scores[k], k == label);
        }
        if (!present) {
            throw new IllegalStateException("cannot remove a record of class " + label
                    + " that is not in view (remove only records that were added)");
        }
        confusion[label][record.predicted()]--;
        count--;
        nllUnits = nllUnits.minus(Int128.of(record.nllUnits));
        for (int k = 0; k < numClasses; k++) {
            rocs[k].remove(record.scores[k], k == label);
        }
    }

    /** Adds every record of {@code other} (the union of both views). */
    public void merge(ClassificationAccumulator other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge a " + other.numClasses + "-class state into a "
                    + numClasses + "-class state");
        }
        ClassificationAccumulator source = other == this ? other.copy() : other;
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                confusion[t][p] = Math.addExact(confusion[t][p], source.confusion[t][p]);
            }
        }
        count = Math.addExact(count, source.count);
        nllUnits = nllUnits.plus(source.nllUnits);
        for (int k = 0; k < numClasses; k++) {
            rocs[k].merge(source.rocs[k]);
        }
    }

    public int numClasses() {
        return numClasses;
    }

    /** Records in view. */
    public long count() {
        return count;
    }

    /** Sum of the records' negative log-likelihoods in nats (each rounded to 2^-40, see class doc). */
    public double negativeLogLikelihoodSum() {
        return nllUnits.toDouble() * NLL_UNIT;
    }

    /** The confusion counts now, rows = true class. */
    public ConfusionMatrix confusion() {
        return ConfusionMatrix.of(confusion);
    }

    /** A copy of class k's ROC state. */
    public RocSketch roc(int k) {
        return rocs[k].copy();
    }

    /** The report of the records in view, ROC curves of at most {@value #DEFAULT_ROC_POINTS} points. */
    public ClassificationReport snapshot() {
        return snapshot(DEFAULT_ROC_POINTS);
    }

    /** The report of the records in view, ROC curves of at most {@code rocPoints} points each. */
    public ClassificationReport snapshot(int rocPoints) {
        double logLoss = count == 0 ? Double.NaN : negativeLogLikelihoodSum() / count;
        return ClassificationReport.of(confusion(), logLoss, List.of(rocs), rocPoints);
    }

    /**
     * The ROC score of a log-probability: {@code (float) StrictMath.exp((double) logProb)}, capped at
     * 1.0f; the float32 probability sklearn is compared on.
     */
    public static float score(float logProb) {
        return ClassifiedRecord.cappedScore(StrictMath.exp((double) logProb));
    }

    private void requireClasses(ClassifiedRecord record) {
        if (record.numClasses() != numClasses) {
            throw new IllegalArgumentException("a record of " + record.numClasses() + " classes cannot be counted in a "
                    + numClasses + "-class state");
        }
    }

    // ---- bytes -----------------------------------------------------------------------------------

    /** The exact length of {@link #toBytes()}. */
    public int sizeBytes() {
        int bytes = headerBytes();
        for (RocSketch roc : rocs) {
            int size = roc.sizeBytes();
            bytes += Leb128.size(size) + size;
        }
        return bytes;
    }

    /**
     * The binary form for a state store: a format byte, the class count and record count (varints),
     * the NLL sum (two longs), the confusion counts row by row (varints), then each class's
     * {@link RocSketch#toBytes()} prefixed by its length.
     */
    public byte[] toBytes() {
        // Each sketch is encoded once (its cells sorted once), then framed by its length.
        byte[][] sketches = new byte[numClasses][];
        int bytes = headerBytes();
        for (int k = 0; k < numClasses; k++) {
            sketches[k] = rocs[k].toBytes();
            bytes += Leb128.size(sketches[k].length) + sketches[k].length;
        }
        ByteBuffer out = ByteBuffer.allocate(bytes);
        out.put(FORMAT);
        Leb128.write(out, numClasses);
        Leb128.write(out, count);
        out.putLong(nllUnits.hi());
        out.putLong(nllUnits.lo());
        for (long[] row : confusion) {
            for (long c : row) {
                Leb128.write(out, c);
            }
        }
        for (byte[] sketch : sketches) {
            Leb128.write(out, sketch.length);
            out.put(sketch);
        }
        return out.array();
    }

    /** Bytes before the sketches: format, class count, count, NLL sum, confusion counts. */
    private int headerBytes() {
        int bytes = 1 + Leb128.size(numClasses) + Leb128.size(count) + 16;
        for (long[] row : confusion) {
            for (long c : row) {
                bytes += Leb128.size(c);
            }
        }
        return bytes;
    }

    /**
     * Reads a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state
     */
    public static ClassificationAccumulator fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte format = in.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("not a ClassificationAccumulator of format " + FORMAT
                        + " (format byte " + format + ")");
            }
            int numClasses = Leb128.readInt(in, "class count");
            if (numClasses < 2) {
                throw new IllegalArgumentException("class count " + numClasses + " below 2");
            }
            long count = Leb128.read(in);
            Int128 nll = new Int128(in.getLong(), in.getLong());
            long[][] confusion = new long[numClasses][numClasses];
            long total = 0;
            for (int t = 0; t < numClasses; t++) {
                for (int p = 0; p < numClasses; p++) {
                    confusion[t][p] = Leb128.read(in);
                    if (confusion[t][p] < 0) {
                        throw new IllegalArgumentException("negative confusion count at " + t + ", " + p);
                    }
                    total += confusion[t][p];
                }
            }
            if (total != count) {
                throw new IllegalArgumentException("confusion counts sum to " + total + " but count is " + count);
            }
            RocSketch[] rocs = new RocSketch[numClasses];
            for (int k = 0; k < numClasses; k++) {
                int length = Leb128.readInt(in, "sketch length");
                int end = in.position() + length;
                rocs[k] = RocSketchCodec.readFrom(in);
                if (in.position() != end) {
                    throw new IllegalArgumentException("sketch " + k + " is not " + length + " bytes long");
                }
                if (rocs[k].positives() + rocs[k].negatives() != count) {
                    throw new IllegalArgumentException("sketch " + k + " holds "
                            + (rocs[k].positives() + rocs[k].negatives()) + " records, count is " + count);
                }
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes after an accumulator");
            }
            ClassificationAccumulator accumulator = new ClassificationAccumulator(numClasses, rocs);
            for (int t = 0; t < numClasses; t++) {
                System.arraycopy(confusion[t], 0, accumulator.confusion[t], 0, numClasses);
            }
            accumulator.count = count;
            accumulator.nllUnits = nll;
            return accumulator;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated ClassificationAccumulator bytes", e);
        }
    }

    @Override
    public String toString() {
        return "ClassificationAccumulator[classes=" + numClasses + ", count=" + count + "]";
    }
}

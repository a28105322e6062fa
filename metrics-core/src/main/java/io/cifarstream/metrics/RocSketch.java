package io.cifarstream.metrics;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Mergeable, removable state for one class's one-vs-rest ROC-AUC: counts of (positives, negatives) per
 * score cell, kept in score order.
 *
 * <h2>Scores</h2>
 * A score is a float32 probability in [0, 1]. The classifier emits log-probabilities; the scores are
 * {@code (float) exp((double) logProb)}, exactly the float32 probabilities sklearn is given in the
 * reference computation, so ties are the float32 ties sklearn sees (many softmax outputs collapse to
 * 1.0f or 0.0f; those ARE ties, for sklearn and here).
 *
 * <h2>Exact mode</h2>
 * While at most {@link #cellLimit()} distinct scores are in view (default {@value #DEFAULT_CELL_LIMIT}),
 * each cell is one distinct float32 score and
 * <pre>
 *   AUC = (#{(i, j) : s_i &gt; s_j} + 1/2 #{(i, j) : s_i = s_j}) / (P N),   i positive, j negative,
 * </pre>
 * the Mann-Whitney statistic with ties counted half, computed as an exact integer rank sum and divided
 * once. It equals {@code sklearn.metrics.roc_auc_score(y == k, p_k)} (the trapezoid under the ROC
 * curve, which counts ties half) up to floating-point rounding (below 1e-12 in the tests). With no
 * positive or no negative the AUC is undefined: sklearn raises, {@link #auc()} returns NaN.
 *
 * <h2>Beyond the limit: a log-odds grid</h2>
 * When a new cell would exceed the limit the sketch coarsens one level, and again until it fills at most
 * half of the limit (the slack spaces the rebuilds out). A score
 * {@code p} is keyed by {@code q = min(p, 1 - p)} ({@code 1 - p} is exact in float32 for p &ge; 1/2) and
 * its side of 1/2; the cell at level {@code b} is the float32 bit pattern of {@code q} shifted right by
 * {@code b}. Level 0 is exact; each level merges pairs of neighbouring cells, so levels nest and a
 * score maps to the same cell whenever it is removed. Within one binade of q a cell spans a relative
 * width {@code 2^(b-23)} of q, hence at most {@code 2^(b-22)} in log-odds {@code ln(p / (1 - p))}:
 * a grid that is uniform in log-odds near 0 and near 1, so softmax outputs next to 0 or 1 keep their
 * order as far as float32 can tell them apart. The level never decreases (removals do not refine).
 *
 * <h2>Error bound (reported, not assumed)</h2>
 * The cell map is monotone, so a (positive, negative) pair in different cells is ordered exactly as
 * by their scores. A pair in the same cell is counted as a tie (1/2) where the truth is 0, 1/2 or 1,
 * an error of at most 1/2 per pair, and of nothing when the cell has only ever held one distinct score
 * (each cell remembers that score until a second one arrives; removals never un-mix a cell, which
 * keeps the bound safe). Saturated softmax outputs, exactly 1.0f or 0.0f, are such single cells: a
 * large mass of genuine ties that costs no error. Hence, over the MIXED cells c,
 * <pre>
 *   |AUC_sketch - AUC_exact| &le; aucErrorBound() = sum_c pos_c neg_c / (2 P N)  (+ 1e-15 for rounding)
 *                                       &le; min(max_c pos_c / P, max_c neg_c / N) / 2,
 * </pre>
 * which {@link #aucErrorBound()} computes from the cells in view (0 while no cell is mixed, in
 * particular in exact mode). The right-hand form says when it is below 1e-4: when no mixed cell holds
 * more than 0.02 % of either class. No fixed grid can promise that for every input (all scores could
 * share one cell), hence the adaptive grid and the reported bound. With 1,000,000 softmax-like scores
 * spread over log-odds +-40 and the default limit, RocSketchTest measures a bound of 7.5e-6 (actual
 * error 6e-9) with 63,000 cells in 260 KB.
 *
 * <h2>Memory and bytes</h2>
 * At most {@code cellLimit} cells, in an open-addressing table (linear probing, backward-shift
 * deletion, filled at most 3/4; at the default limit at most 262,144 slots, 6.3 MB) held in ONE
 * {@code long[]} of 3 longs, 24 bytes, a slot: the head {@code (key + 1) << 32 | single score}, then the
 * negative and the positive count. A slot is contiguous because the cumulative tables of a 10-class
 * stream (tens of MB) do not fit in any cache: each update misses in DRAM, and one slot costs one
 * cache line (two for the 1 in 4 slots that straddle a line boundary, and then mostly for the count
 * that is not next to the head) where parallel arrays of keys, counts and single scores cost up to
 * four. The probe reads heads only; an add writes the head at most once (a cell becoming mixed) and
 * the one count it changes; negatives sit next to the head since all but one class of each record
 * add a negative. A head of 0 is a free slot, so a new table needs no filling.
 * {@link #toBytes()} is canonical (equal states, equal bytes): a format
 * byte, the limit, the level, the cell count, then per cell in score order the key delta and both
 * counts as unsigned LEB128 varints, and beyond level 0 which single score the cell holds (0 if mixed).
 *
 * <p>Not thread-safe; an aggregation state owned by one thread at a time.
 */
public final class RocSketch {

    public static final int DEFAULT_CELL_LIMIT = 100_000;

    private static final byte FORMAT = 1;
    /** Bit pattern of 0.5f; every q = min(p, 1 - p) has a pattern at or below it. */
    private static final int HALF_BITS = Float.floatToRawIntBits(0.5f);
    /** At this level each side of 1/2 is one cell, so any limit of at least 2 is reachable. */
    private static final int MAX_LEVEL = 31 - Integer.numberOfLeadingZeros(HALF_BITS) + 1;
    private static final int MIXED = -1;
    /** Covers the floating-point rounding of auc() and of the bound itself. */
    private static final double ROUNDING_SLACK = 1e-15;

    private final int cellLimit;
    private int level;
    private long positives;
    private long negatives;

    /** Longs per slot: the head, then the negative count, then the positive count (see class doc). */
    private static final int STRIDE = 3;
    private static final int NEG = 1;
    private static final int POS = 2;
    /** The most slots a {@code long[]} of {@code STRIDE} longs a slot can hold, a power of 2. */
    private static final int MAX_SLOTS = 1 << 29;

    /**
     * Open addressing with linear probing, one slot {@code STRIDE} contiguous longs: the head
     * {@code (key + 1) << 32 | single} (the cell ordinal, non-negative, and the level-0 key of its only
     * score ever added or MIXED once a second one came), then the counts. A head of 0 is a free slot,
     * so a new table needs no filling.
     */
    private long[] table;
    /** Slots - 1; the slot count is a power of 2. */
    private int mask;
    private int size;

    /** An empty sketch, exact up to {@value #DEFAULT_CELL_LIMIT} distinct scores. */
    public RocSketch() {
        this(DEFAULT_CELL_LIMIT);
    }

    /**
     * An empty sketch, exact up to {@code cellLimit} distinct scores, never holding more cells.
     *
     * @throws IllegalArgumentException if {@code cellLimit < 2}
     */
    public RocSketch(int cellLimit) {
        if (cellLimit < 2) {
            throw new IllegalArgumentException("cellLimit must be at least 2 (one cell per side of 1/2), got "
                    + cellLimit);
        }
        this.cellLimit = cellLimit;
        allocate(16);
    }

    /** An independent copy of this state. */
    public RocSketch copy() {
        RocSketch copy = new RocSketch(cellLimit);
        copy.level = level;
        copy.positives = positives;
        copy.negatives = negatives;
        copy.table = table.clone();
        copy.mask = mask;
        copy.size = size;
        return copy;
    }

    /** Counts one record with this score; {@code positive} = its true class is this sketch's class. */
    public void add(float score, boolean positive) {
        float checked = checkedScore(score);
        change(cellOf(checked, level), positive ? 1 : 0, positive ? 0 : 1, cellOf(checked, 0));
        if (positive) {
            positives++;
        } else {
            negatives++;
        }
        coarsenToLimit();
    }

    /**
     * Uncounts one record previously {@link #add added} with this score and polarity (a sliding view
     * drops its oldest record this way).
     *
     * @throws IllegalStateException if no such record is in view; the sketch is unchanged then
     */
    public void remove(float score, boolean positive) {
        int slot = find(cellOf(checkedScore(score), level));
        int at = slot * STRIDE;
        if (slot < 0 || table[at + (positive ? POS : NEG)] == 0) {
            throw new IllegalStateException("cannot remove a " + (positive ? "positive" : "negative")
                    + " record with score " + score + ": none is in view (remove only what was added)");
        }
        // One probe for the check and the change; the cell's single score stays as it is.
        table[at + (positive ? POS : NEG)]--;
        if (table[at + POS] == 0 && table[at + NEG] == 0) {
            delete(slot);
        }
        if (positive) {
            positives--;
        } else {
            negatives--;
        }
    }

    /** True when {@link #remove} would accept this record. */
    public boolean contains(float score, boolean positive) {
        int slot = find(cellOf(checkedScore(score), level));
        return slot >= 0 && table[slot * STRIDE + (positive ? POS : NEG)] > 0;
    }

    /**
     * Adds every record of {@code other} to this sketch (the union of both views), at the coarser of
     * the two levels, then coarsens to this sketch's limit. Without removals, merging the sketches of
     * two halves gives the state of one sketch fed everything.
     */
    public void merge(RocSketch other) {
        RocSketch source = other == this ? other.copy() : other;
        raiseLevelTo(source.level);
        if (size == 0 && level == source.level && source.size <= cellLimit) {
            // Into an empty sketch (a window built from its panes): the union is the source's table as it is.
            table = source.table.clone();
            mask = source.mask;
            size = source.size;
            positives += source.positives;
            negatives += source.negatives;
            return;
        }
        // Room for every cell at once: no table doubling in the middle of the merge.
        while ((size + (long) source.size) * 4 > (mask + 1L) * 3 && mask + 1 < MAX_SLOTS) {
            grow();
        }
        long[] cells = source.table;
        for (int at = 0; at < cells.length; at += STRIDE) {
            long head = cells[at];
            if (head != 0) {
                int key = relevel(keyOf(head), source.level, level);
                change(key, cells[at + POS], cells[at + NEG], singleOf(head));
                coarsenToLimit();
            }
        }
        positives += source.positives;
        negatives += source.negatives;
    }

    public long positives() {
        return positives;
    }

    public long negatives() {
        return negatives;
    }

    public int cellLimit() {
        return cellLimit;
    }

    /** Cells in use: distinct scores in exact mode, never more than {@link #cellLimit()}. */
    public int cellCount() {
        return size;
    }

    /** 0 while exact; otherwise the number of low bits dropped from the float32 key (see class doc). */
    public int level() {
        return level;
    }

    /** True while each cell is one distinct float32 score. */
    public boolean isExact() {
        return level == 0;
    }

    /**
     * Mann-Whitney AUC with ties counted half (see class doc); NaN without positives or negatives.
     */
    public double auc() {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return auc(sortedCells());
    }

    /** The AUC and a plotting curve of a report, from one sort of the cells. */
    public record Summary(double auc, RocCurve curve) {
    }

    /**
     * {@link #auc()} and {@link #curve(int) curve(maxPoints)} together: the cells are sorted once for both,
     * which is most of their cost.
     *
     * @throws IllegalArgumentException if {@code maxPoints < 2}
     */
    public Summary summary(int maxPoints) {
        requireCurvePoints(maxPoints);
        if (positives == 0 || negatives == 0) {
            return new Summary(Double.NaN, RocCurve.undefined());
        }
        long[] sorted = sortedCells();
        return new Summary(auc(sorted), points(sorted, maxPoints, false));
    }

    private double auc(long[] sorted) {
        // twiceU <= 2 P N: when that fits in a long, so does every partial sum (the usual case, no Int128 per cell).
        long twicePairs = 2 * positives * negatives;
        if (positives < Integer.MAX_VALUE && negatives < Integer.MAX_VALUE && twicePairs > 0) {
            long twiceU = 0;
            long negativesBelow = 0;
            for (long packed : sorted) {
                int at = (int) packed;
                long n = table[at + NEG];
                twiceU += table[at + POS] * (2 * negativesBelow + n);
                negativesBelow += n;
            }
            return twiceU / (double) twicePairs;
        }
        Int128 twiceU = Int128.ZERO;
        long negativesBelow = 0;
        for (long packed : sorted) {
            int at = (int) packed;
            long n = table[at + NEG];
            // Each positive beats the negatives below its cell and ties with those in it.
            twiceU = twiceU.plus(Int128.product(table[at + POS], 2 * negativesBelow + n));
            negativesBelow += n;
        }
        return twiceU.toDouble() / (2.0 * Int128.product(positives, negatives).toDouble());
    }

    /**
     * An upper bound on {@code |auc() - exact AUC|}: 0 in exact mode, else
     * {@code sum_c pos_c neg_c / (2 P N)} over the cells in view; NaN when the AUC is undefined.
     */
    public double aucErrorBound() {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        if (level == 0) {
            return 0.0;
        }
        Int128 sharedPairs = Int128.ZERO;
        for (int at = 0; at < table.length; at += STRIDE) {
            long head = table[at];
            if (head != 0 && singleOf(head) == MIXED) {
                sharedPairs = sharedPairs.plus(Int128.product(table[at + POS], table[at + NEG]));
            }
        }
        if (sharedPairs.signum() == 0) {
            return 0.0;
        }
        return sharedPairs.toDouble() / (2.0 * Int128.product(positives, negatives).toDouble()) + ROUNDING_SLACK;
    }

    /**
     * Every point of the ROC curve, one per cell after (0, 0): like
     * {@code sklearn.metrics.roc_curve(..., drop_intermediate=False)} in exact mode, where the point
     * count is the number of distinct scores plus one. Beyond the limit the points are those at the
     * cell boundaries; each still lies exactly on the true curve (it is the true point at the lowest
     * score of the cell). Undefined (empty) without positives or negatives.
     */
    public RocCurve curve() {
        return points(0, true);
    }

    /**
     * At most {@code maxPoints} exact vertices of {@link #curve()} for plotting: interior points on a
     * straight segment are dropped (they add nothing to the drawn polygon), and if more than
     * {@code maxPoints} remain, the first vertex at or past each of {@code maxPoints - 1} equal steps of
     * {@code fpr + tpr} is kept, with (0, 0) and (1, 1). Every point returned is a point of the full
     * curve, unmoved. The AUC is always computed from the full state, never from these points.
     *
     * @throws IllegalArgumentException if {@code maxPoints < 2}
     */
    public RocCurve curve(int maxPoints) {
        requireCurvePoints(maxPoints);
        return points(maxPoints, false);
    }

    private static void requireCurvePoints(int maxPoints) {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("a curve needs at least its 2 end points, got maxPoints="
                    + maxPoints);
        }
    }

    private RocCurve points(int maxPoints, boolean all) {
        if (positives == 0 || negatives == 0) {
            return RocCurve.undefined();
        }
        return points(sortedCells(), maxPoints, all);
    }

    private RocCurve points(long[] sorted, int maxPoints, boolean all) {
        int n = sorted.length;
        // Cumulative counts from the highest score down, with the (0, 0) start.
        long[] fps = new long[n + 1];
        long[] tps = new long[n + 1];
        for (int i = 0; i < n; i++) {
            int at = (int) sorted[n - 1 - i];
            fps[i + 1] = fps[i] + table[at + NEG];
            tps[i + 1] = tps[i] + table[at + POS];
        }
        int[] chosen = all ? allIndices(n + 1) : thin(fps, tps, maxPoints);
        List<Double> fpr = new ArrayList<>(chosen.length);
        List<Double> tpr = new ArrayList<>(chosen.length);
        for (int i : chosen) {
            fpr.add((double) fps[i] / negatives);
            tpr.add((double) tps[i] / positives);
        }
        return new RocCurve(fpr, tpr, aucErrorBound());
    }

    private int[] thin(long[] fps, long[] tps, int maxPoints) {
        int last = fps.length - 1;
        int[] vertices = new int[fps.length];
        int count = 0;
        vertices[count++] = 0;
        for (int i = 1; i < last; i++) {
            // Steps are non-zero and point up-right; a zero cross product means one straight line.
            Int128 a = Int128.product(fps[i] - fps[i - 1], tps[i + 1] - tps[i]);
            Int128 b = Int128.product(tps[i] - tps[i - 1], fps[i + 1] - fps[i]);
            if (!a.equals(b)) {
                vertices[count++] = i;
            }
        }
        vertices[count++] = last;
        if (count <= maxPoints) {
            return Arrays.copyOf(vertices, count);
        }
        int[] kept = new int[maxPoints];
        int keptCount = 0;
        kept[keptCount++] = 0;
        double step = 2.0 / (maxPoints - 1);
        double target = step;
        for (int v = 1; v < count - 1 && keptCount < maxPoints - 1; v++) {
            int i = vertices[v];
            double s = (double) fps[i] / negatives + (double) tps[i] / positives;
            if (s >= target) {
                kept[keptCount++] = i;
                while (target <= s) {
                    target += step;
                }
            }
        }
        kept[keptCount++] = last;
        return Arrays.copyOf(kept, keptCount);
    }

    private static int[] allIndices(int n) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /** The exact length of {@link #toBytes()}. */
    public int sizeBytes() {
        return sizeBytes(sortedCells());
    }

    private int sizeBytes(long[] sorted) {
        int bytes = 1 + Leb128.size(cellLimit) + 1 + Leb128.size(size);
        long previous = 0;
        for (long packed : sorted) {
            int at = (int) packed;
            long key = packed >>> 32;
            bytes += Leb128.size(key - previous) + Leb128.size(table[at + POS]) + Leb128.size(table[at + NEG]);
            if (level > 0) {
                bytes += Leb128.size(singleCode(singleOf(table[at])));
            }
            previous = key;
        }
        return bytes;
    }

    /** The canonical binary form (see class doc); {@link #fromBytes} reads it back. */
    public byte[] toBytes() {
        // Sorting the cells is the expensive part of a checkpoint: done once for both the size and the writing.
        long[] sorted = sortedCells();
        ByteBuffer out = ByteBuffer.allocate(sizeBytes(sorted));
        writeTo(out, sorted);
        return out.array();
    }

    private void writeTo(ByteBuffer out, long[] sorted) {
        out.put(FORMAT);
        Leb128.write(out, cellLimit);
        out.put((byte) level);
        Leb128.write(out, size);
        long previous = 0;
        for (long packed : sorted) {
            int at = (int) packed;
            long key = packed >>> 32;
            Leb128.write(out, key - previous);
            Leb128.write(out, table[at + POS]);
            Leb128.write(out, table[at + NEG]);
            if (level > 0) {
                Leb128.write(out, singleCode(singleOf(table[at])));
            }
            previous = key;
        }
    }

    /**
     * Reads a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state (wrong format, truncated,
     *         trailing bytes, keys out of order or range)
     */
    public static RocSketch fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        RocSketch sketch = readFrom(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes after a RocSketch");
        }
        return sketch;
    }

    static RocSketch readFrom(ByteBuffer in) {
        try {
            byte format = in.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("not a RocSketch of format " + FORMAT + " (format byte "
                        + format + ")");
            }
            RocSketch sketch = new RocSketch(Leb128.readInt(in, "cell limit"));
            int level = in.get();
            if (level < 0 || level > MAX_LEVEL) {
                throw new IllegalArgumentException("RocSketch level " + level + " outside 0.." + MAX_LEVEL);
            }
            sketch.level = level;
            int cells = Leb128.readInt(in, "cell count");
            if (cells > sketch.cellLimit) {
                throw new IllegalArgumentException("RocSketch holds " + cells + " cells, above its limit "
                        + sketch.cellLimit);
            }
            // Sized for every cell at once, as growing by doubling would end up; no rehash on the way.
            while (cells * 4L > (sketch.mask + 1L) * 3 && sketch.mask + 1 < MAX_SLOTS) {
                sketch.allocate((sketch.mask + 1) * 2);
            }
            long maxKey = maxCell(level);
            long key = -1;
            for (int i = 0; i < cells; i++) {
                long delta = Leb128.read(in);
                key = i == 0 ? delta : key + delta;
                if ((i > 0 && delta == 0) || key > maxKey || key < 0) {
                    throw new IllegalArgumentException("RocSketch cell key " + key + " out of order or range");
                }
                long p = Leb128.read(in);
                long n = Leb128.read(in);
                if (p < 0 || n < 0 || p + n <= 0) {
                    throw new IllegalArgumentException("RocSketch cell " + key + " has invalid counts " + p
                            + ", " + n);
                }
                int score = (int) key;
                if (level > 0) {
                    long code = Leb128.read(in);
                    if (code > (1L << level)) {
                        throw new IllegalArgumentException("RocSketch cell " + key + " has an invalid score code "
                                + code);
                    }
                    score = code == 0 ? MIXED : scoreKey((int) key, level, (int) code - 1);
                }
                sketch.change((int) key, p, n, score);
                sketch.positives = Math.addExact(sketch.positives, p);
                sketch.negatives = Math.addExact(sketch.negatives, n);
            }
            return sketch;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated RocSketch bytes", e);
        }
    }

    // ---- the score-to-cell map -------------------------------------------------------------------

    private static float checkedScore(float score) {
        if (!(score >= 0f && score <= 1f)) {
            throw new IllegalArgumentException("a score must be a probability in [0, 1], got " + score);
        }
        return score;
    }

    /** The cell ordinal of a score at a level; monotone non-decreasing in the score. */
    static int cellOf(float score, int level) {
        if (score <= 0.5f) {
            // + 0.0f turns -0.0f into 0.0f, whose pattern is 0.
            return Float.floatToRawIntBits(score + 0.0f) >>> level;
        }
        int fromOne = Float.floatToRawIntBits(1f - score) >>> level;
        return upper(fromOne, level);
    }

    /** Above 1/2 the cells count down from the top: the smaller 1 - p, the higher the ordinal. */
    private static int upper(int fromOne, int level) {
        return 2 * (HALF_BITS >>> level) + 1 - fromOne;
    }

    /** 0 for a mixed cell, else 1 + the position of its single score inside the cell. */
    private long singleCode(int score) {
        if (score == MIXED) {
            return 0;
        }
        int fromBottom = score <= HALF_BITS ? score : 2 * HALF_BITS + 1 - score;
        return 1 + (fromBottom & ((1L << level) - 1));
    }

    /** The level-0 key at {@code offset} inside cell {@code key} of {@code level}; inverse of singleCode. */
    private static int scoreKey(int key, int level, int offset) {
        int lowerMax = HALF_BITS >>> level;
        if (key <= lowerMax) {
            return (key << level) | offset;
        }
        int fromOne = 2 * lowerMax + 1 - key;
        return upper((fromOne << level) | offset, 0);
    }

    private static long maxCell(int level) {
        return 2L * (HALF_BITS >>> level) + 1;
    }

    /** The ordinal at {@code to} (&ge; {@code from}) of the cell holding ordinal {@code key} at {@code from}. */
    static int relevel(int key, int from, int to) {
        if (from == to) {
            return key;
        }
        int lowerMax = HALF_BITS >>> from;
        if (key <= lowerMax) {
            return key >>> (to - from);
        }
        int fromOne = 2 * lowerMax + 1 - key;
        return upper(fromOne >>> (to - from), to);
    }

    /**
     * Past the limit, coarsens to the finest level at which at most half of the limit is in use, not just the limit:
     * with nearly distinct scores one level merges few cells, and stopping right under the limit rebuilt the table
     * every few hundred records (measured: a third of the metrics stream's time). The slack makes the next
     * coarsening at least limit/2 new cells away (filling 10 class sketches with 300,000 softmax scores: 1,226 ns a
     * record with 3/4 of the limit, 927 with half; the million-score test ends at the same level and bound).
     * The level is found on the cells sorted once (coarsening is monotone, so a level's cell count is the number
     * of distinct coarsened keys in that order), and the table is rebuilt once, at that level: climbing level by
     * level rebuilt it about ten times, since scores spread over dozens of binades share cells only some ten
     * levels up.
     */
    private void coarsenToLimit() {
        if (size <= cellLimit) {
            return;
        }
        long settled = cellLimit / 2;
        long[] sorted = sortedCells();
        int target = level;
        long cells = size;
        while (cells > settled && target < MAX_LEVEL) {
            target++;
            cells = distinctAt(sorted, level, target);
        }
        rebuildAt(target);
    }

    /** The number of cells at level {@code to} of sorted cells at level {@code from}. */
    private static long distinctAt(long[] sorted, int from, int to) {
        long cells = 0;
        int previous = -1; // keys are non-negative
        for (long cell : sorted) {
            int key = relevel((int) (cell >>> 32), from, to);
            if (key != previous) {
                cells++;
                previous = key;
            }
        }
        return cells;
    }

    private void raiseLevelTo(int target) {
        if (target > level) {
            rebuildAt(target);
        }
    }

    private void rebuildAt(int target) {
        long[] old = table;
        int from = level;
        allocate(Math.max(16, Integer.highestOneBit(Math.max(1, size)) * 2));
        level = target;
        for (int at = 0; at < old.length; at += STRIDE) {
            long head = old[at];
            if (head != 0) {
                change(relevel(keyOf(head), from, target), old[at + POS], old[at + NEG], singleOf(head));
            }
        }
    }

    // ---- the table -------------------------------------------------------------------------------

    private void allocate(int slots) {
        table = new long[slots * STRIDE];
        mask = slots - 1;
        size = 0;
    }

    private static long head(int key, int single) {
        return (long) (key + 1) << 32 | (single & 0xFFFF_FFFFL);
    }

    private static int keyOf(long head) {
        return (int) (head >>> 32) - 1;
    }

    private static int singleOf(long head) {
        return (int) head;
    }

    private static int hash(int key) {
        // MurmurHash3's finalizer: neighbouring keys land far apart.
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The slot of the cell with this key, or -1. */
    private int find(int key) {
        int tag = key + 1;
        for (int slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
            long head = table[slot * STRIDE];
            if ((int) (head >>> 32) == tag) {
                return slot;
            }
            if (head == 0) {
                return -1;
            }
        }
    }

    /**
     * Adds the deltas to a cell, creating it or deleting it when both counts reach 0; {@code score} is
     * the level-0 key of the records added (or MIXED), which keeps the cell single or makes it mixed.
     */
    private void change(int key, long deltaPositive, long deltaNegative, int score) {
        int tag = key + 1;
        int slot = hash(key) & mask;
        long head = table[slot * STRIDE];
        while (head != 0 && (int) (head >>> 32) != tag) {
            slot = (slot + 1) & mask;
            head = table[slot * STRIDE];
        }
        int at = slot * STRIDE;
        if (head == 0) {
            table[at] = head(key, score);
            table[at + POS] = deltaPositive;
            table[at + NEG] = deltaNegative;
            size++;
            if (size * 4L > (mask + 1L) * 3) {
                grow();
            }
            return;
        }
        // Only the counts that change are written: an add touches the head and one count.
        if (deltaPositive != 0) {
            table[at + POS] = Math.addExact(table[at + POS], deltaPositive);
        }
        if (deltaNegative != 0) {
            table[at + NEG] = Math.addExact(table[at + NEG], deltaNegative);
        }
        if (singleOf(head) != score && singleOf(head) != MIXED) {
            table[at] = head(key, MIXED);
        }
        if ((deltaPositive | deltaNegative) < 0 && table[at + POS] == 0 && table[at + NEG] == 0) {
            delete(slot);
        }
    }

    private void grow() {
        long[] old = table;
        int cells = size;
        allocate((mask + 1) * 2);
        size = cells;
        for (int at = 0; at < old.length; at += STRIDE) {
            long head = old[at];
            if (head != 0) {
                // Keys are distinct: each cell goes to the first free slot from its home, as it is.
                int slot = hash(keyOf(head)) & mask;
                while (table[slot * STRIDE] != 0) {
                    slot = (slot + 1) & mask;
                }
                int to = slot * STRIDE;
                table[to] = head;
                table[to + NEG] = old[at + NEG];
                table[to + POS] = old[at + POS];
            }
        }
    }

    /** Linear-probing deletion by backward shift: no tombstones, lookups stay short. */
    private void delete(int slot) {
        int hole = slot;
        for (int next = (hole + 1) & mask; ; next = (next + 1) & mask) {
            long head = table[next * STRIDE];
            if (head == 0) {
                break;
            }
            int home = hash(keyOf(head)) & mask;
            // Move the entry back if its home is not in the cyclic range (hole, next].
            boolean homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
            if (!homeInRange) {
                int from = next * STRIDE;
                int to = hole * STRIDE;
                table[to] = head;
                table[to + NEG] = table[from + NEG];
                table[to + POS] = table[from + POS];
                hole = next;
            }
        }
        int at = hole * STRIDE;
        table[at] = 0;
        table[at + NEG] = 0;
        table[at + POS] = 0;
        size--;
    }

    /** Occupied slots as {@code key << 32 | index of the slot's head}, ascending by key (keys are non-negative). */
    private long[] sortedCells() {
        long[] cells = new long[size];
        int i = 0;
        for (int at = 0; at < table.length; at += STRIDE) {
            long head = table[at];
            if (head != 0) {
                cells[i++] = (long) keyOf(head) << 32 | at;
            }
        }
        return sortByKey(cells);
    }

    private static final int RADIX_BITS = 11;
    private static final int RADIX = 1 << RADIX_BITS;
    /** Below this many cells a comparison sort is as fast as the radix passes. */
    private static final int RADIX_MIN_CELLS = 2048;

    /**
     * Sorts packed cells by their 31-bit key: an LSD radix sort in three 11-bit passes, several times
     * faster than a comparison sort on the 100,000-cell sketches a report sorts every second.
     */
    static long[] sortByKey(long[] cells) {
        if (cells.length < RADIX_MIN_CELLS) {
            Arrays.sort(cells);
            return cells;
        }
        long[] from = cells;
        long[] to = new long[cells.length];
        int[] counts = new int[RADIX];
        for (int shift = 32; shift < 64; shift += RADIX_BITS) {
            Arrays.fill(counts, 0);
            for (long cell : from) {
                counts[(int) (cell >>> shift) & (RADIX - 1)]++;
            }
            for (int d = 0, start = 0; d < RADIX; d++) {
                int count = counts[d];
                counts[d] = start;
                start += count;
            }
            for (long cell : from) {
                to[counts[(int) (cell >>> shift) & (RADIX - 1)]++] = cell;
            }
            long[] swap = from;
            from = to;
            to = swap;
        }
        return from;
    }

    @Override
    public String toString() {
        return "RocSketch[positives=" + positives + ", negatives=" + negatives + ", cells=" + size + "/"
                + cellLimit + ", level=" + level + "]";
    }
}

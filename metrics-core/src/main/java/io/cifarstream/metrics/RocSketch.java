package io.cifarstream.metrics;

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
 * its side of 1/2; the cell at level {@code b} ({@link LogOddsGrid}) is the float32 bit pattern of
 * {@code q} shifted right by {@code b}. Level 0 is exact; each level merges pairs of neighbouring
 * cells, so levels nest and a score maps to the same cell whenever it is removed. Within one binade of q a cell spans a relative
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
 * At most {@code cellLimit} cells, in a {@link CellTable}: open addressing in ONE {@code long[]} of 3
 * longs, 24 bytes, a slot, filled at most 3/4; at the default limit at most 262,144 slots, 6.3 MB.
 * {@link #toBytes()} is canonical (equal states, equal bytes): per cell in score order its key delta
 * and counts as varints ({@link RocSketchCodec} gives the format).
 *
 * <p>Not thread-safe; an aggregation state owned by one thread at a time.
 */
public final class RocSketch {

    public static final int DEFAULT_CELL_LIMIT = 100_000;

    /** Covers the floating-point rounding of auc() and of the bound itself. */
    private static final double ROUNDING_SLACK = 1e-15;

    private final int cellLimit;
    private int level;
    private long positives;
    private long negatives;
    /** Replaced whole when the level changes and by a merge into an empty sketch. */
    private CellTable cells;

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
        this(cellLimit, 0, new CellTable(CellTable.MIN_SLOTS), 0, 0);
    }

    /** A sketch of these cells at this level; the totals are the sums of the cells' counts. */
    RocSketch(int cellLimit, int level, CellTable cells, long positives, long negatives) {
        this.cellLimit = checkedCellLimit(cellLimit);
        this.level = level;
        this.cells = cells;
        this.positives = positives;
        this.negatives = negatives;
    }

    static int checkedCellLimit(int cellLimit) {
        if (cellLimit < 2) {
            throw new IllegalArgumentException("cellLimit must be at least 2 (one cell per side of 1/2), got "
                    + cellLimit);
        }
        return cellLimit;
    }

    /** An independent copy of this state. */
    public RocSketch copy() {
        return new RocSketch(cellLimit, level, cells.copy(), positives, negatives);
    }

    /** Counts one record with this score; {@code positive} = its true class is this sketch's class. */
    public void add(float score, boolean positive) {
        float checked = checkedScore(score);
        cells.change(LogOddsGrid.cellOf(checked, level), positive ? 1 : 0, positive ? 0 : 1,
                LogOddsGrid.cellOf(checked, 0));
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
        if (!cells.removeOne(LogOddsGrid.cellOf(checkedScore(score), level), positive)) {
            throw new IllegalStateException("cannot remove a " + (positive ? "positive" : "negative")
                    + " record with score " + score + ": none is in view (remove only what was added)");
        }
        if (positive) {
            positives--;
        } else {
            negatives--;
        }
    }

    /** True when {@link #remove} would accept this record. */
    public boolean contains(float score, boolean positive) {
        return cells.count(LogOddsGrid.cellOf(checkedScore(score), level), positive) > 0;
    }

    /**
     * Adds every record of {@code other} to this sketch (the union of both views), at the coarser of
     * the two levels, then coarsens to this sketch's limit. Without removals, merging the sketches of
     * two halves gives the state of one sketch fed everything.
     */
    public void merge(RocSketch other) {
        RocSketch source = other == this ? other.copy() : other;
        raiseLevelTo(source.level);
        CellTable from = source.cells;
        if (cells.size() == 0 && level == source.level && from.size() <= cellLimit) {
            // Into an empty sketch (a window built from its panes): the union is the source's table as it is.
            cells = from.copy();
            positives += source.positives;
            negatives += source.negatives;
            return;
        }
        // Room for every cell at once: no table doubling in the middle of the merge.
        cells.reserve(from.size());
        for (int slot = 0; slot < from.slotCount(); slot++) {
            if (!from.isFree(slot)) {
                // The level may rise on the way: each cell is placed at the level of the moment.
                int key = LogOddsGrid.relevel(from.key(slot), source.level, level);
                cells.change(key, from.positives(slot), from.negatives(slot), from.single(slot));
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
        return cells.size();
    }

    /** 0 while exact; otherwise the number of low bits dropped from the float32 key (see class doc). */
    public int level() {
        return level;
    }

    /** True while each cell is one distinct float32 score. */
    public boolean isExact() {
        return level == 0;
    }

    /** The cells, for {@link RocSketchCodec}; not to be changed. */
    CellTable cells() {
        return cells;
    }

    /**
     * Mann-Whitney AUC with ties counted half (see class doc); NaN without positives or negatives.
     */
    public double auc() {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return auc(cells.sortedCells());
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
        // One pass over the table for the order, the counts and the error bound; the AUC follows from the ROC
        // counts, without reading the table again.
        CellTable.SortedCells sorted = cells.sortedWithMixedPairs();
        RocCounts counts = RocCounts.of(sorted);
        long twiceU = counts.twiceMannWhitneyU();
        double auc = twiceU >= 0 ? twiceU / (double) (2 * positives * negatives) : auc(cells.sortedCells());
        return new Summary(auc, counts.thinned(maxPoints, errorBound(sorted.mixedPairs())));
    }

    private double auc(long[] sorted) {
        // twiceU <= 2 P N: when that fits in a long, so does every partial sum (the usual case, no Int128 per cell).
        long twicePairs = 2 * positives * negatives;
        if (positives < Integer.MAX_VALUE && negatives < Integer.MAX_VALUE && twicePairs > 0) {
            long twiceU = 0;
            long negativesBelow = 0;
            for (long cell : sorted) {
                int slot = CellTable.sortedSlot(cell);
                long n = cells.negatives(slot);
                twiceU += cells.positives(slot) * (2 * negativesBelow + n);
                negativesBelow += n;
            }
            return twiceU / (double) twicePairs;
        }
        Int128 twiceU = Int128.ZERO;
        long negativesBelow = 0;
        for (long cell : sorted) {
            int slot = CellTable.sortedSlot(cell);
            long n = cells.negatives(slot);
            // Each positive beats the negatives below its cell and ties with those in it.
            twiceU = twiceU.plus(Int128.product(cells.positives(slot), 2 * negativesBelow + n));
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
        return errorBound(level == 0 ? Int128.ZERO : cells.mixedPairs());
    }

    /** {@link #aucErrorBound()} given the table's mixed pairs (with positives and negatives in view). */
    private double errorBound(Int128 sharedPairs) {
        if (level == 0) {
            return 0.0;
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
        if (positives == 0 || negatives == 0) {
            return RocCurve.undefined();
        }
        return RocCounts.of(cells, cells.sortedCells()).all(aucErrorBound());
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
        if (positives == 0 || negatives == 0) {
            return RocCurve.undefined();
        }
        return RocCounts.of(cells, cells.sortedCells()).thinned(maxPoints, aucErrorBound());
    }

    private static void requireCurvePoints(int maxPoints) {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("a curve needs at least its 2 end points, got maxPoints="
                    + maxPoints);
        }
    }

    /** The exact length of {@link #toBytes()}. */
    public int sizeBytes() {
        return RocSketchCodec.sizeBytes(this);
    }

    /** The canonical binary form (see {@link RocSketchCodec}); {@link #fromBytes} reads it back. */
    public byte[] toBytes() {
        return RocSketchCodec.toBytes(this);
    }

    /**
     * Reads a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state (wrong format, truncated,
     *         trailing bytes, keys out of order or range)
     */
    public static RocSketch fromBytes(byte[] bytes) {
        return RocSketchCodec.fromBytes(bytes);
    }

    private static float checkedScore(float score) {
        if (!(score >= 0f && score <= 1f)) {
            throw new IllegalArgumentException("a score must be a probability in [0, 1], got " + score);
        }
        return score;
    }

    // ---- the level -------------------------------------------------------------------------------

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
        if (cells.size() <= cellLimit) {
            return;
        }
        long settled = cellLimit / 2;
        long[] sorted = cells.sortedCells();
        int target = level;
        long count = sorted.length;
        while (count > settled && target < LogOddsGrid.MAX_LEVEL) {
            target++;
            count = distinctAt(sorted, level, target);
        }
        rebuildAt(target);
    }

    /** The number of cells at level {@code to} of sorted cells at level {@code from}. */
    private static long distinctAt(long[] sorted, int from, int to) {
        long cells = 0;
        int previous = -1; // keys are non-negative
        for (long cell : sorted) {
            int key = LogOddsGrid.relevel(CellTable.sortedKey(cell), from, to);
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
        cells = cells.coarsened(level, target);
        level = target;
    }

    @Override
    public String toString() {
        return "RocSketch[positives=" + positives + ", negatives=" + negatives + ", cells=" + cells.size() + "/"
                + cellLimit + ", level=" + level + "]";
    }
}

package io.cifarstream.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An ROC curve as exact counts: point {@code i} is {@code (fp_i, tp_i)}, the negatives and the positives
 * at or above the i-th highest cell, from (0, 0) to (N, P); and the plotting curves drawn from it, every
 * point or only the vertices that shape it.
 */
final class RocCounts {

    private final long[] fps;
    private final long[] tps;

    /** Cumulative counts, both starting at 0 and non-decreasing, one entry per point. */
    RocCounts(long[] fps, long[] tps) {
        if (fps.length != tps.length || fps.length == 0 || fps[0] != 0 || tps[0] != 0) {
            throw new IllegalArgumentException("counts must pair up and start at (0, 0)");
        }
        this.fps = fps;
        this.tps = tps;
    }

    /** The counts of cells sorted by ascending key ({@link CellTable#sortedCells()}), cumulated from the top. */
    static RocCounts of(CellTable cells, long[] sorted) {
        int n = sorted.length;
        long[] fps = new long[n + 1];
        long[] tps = new long[n + 1];
        for (int i = 0; i < n; i++) {
            int slot = CellTable.sortedSlot(sorted[n - 1 - i]);
            fps[i + 1] = fps[i] + cells.negatives(slot);
            tps[i + 1] = tps[i] + cells.positives(slot);
        }
        return new RocCounts(fps, tps);
    }

    /**
     * Twice the Mann-Whitney U of these counts, {@code sum_c pos_c (2 neg_below_c + neg_c)} over the cells (each
     * positive beats the negatives below its cell and ties with those in it), as {@link RocSketch#auc()} sums it in
     * ascending order; -1 when a partial sum could overflow a long (more than {@code Integer.MAX_VALUE} positives or
     * negatives, or {@code 2 P N} beyond a long): then sum it in 128 bits.
     */
    long twiceMannWhitneyU() {
        int last = fps.length - 1;
        long negatives = fps[last];
        long positives = tps[last];
        long twicePairs = 2 * positives * negatives;
        if (!(positives < Integer.MAX_VALUE && negatives < Integer.MAX_VALUE && twicePairs > 0)) {
            return -1;
        }
        // Every term is >= 0 and they sum to at most 2 P N, so no partial sum overflows, in any order.
        long twiceU = 0;
        for (int i = 0; i < last; i++) {
            long n = fps[i + 1] - fps[i];
            long negativesBelow = negatives - fps[i + 1];
            twiceU += (tps[i + 1] - tps[i]) * (2 * negativesBelow + n);
        }
        return twiceU;
    }

    /** The counts of {@link CellTable#sortedWithMixedPairs() sorted cells}, cumulated from the top. */
    static RocCounts of(CellTable.SortedCells sorted) {
        long[] order = sorted.order();
        long[] counts = sorted.counts();
        int n = order.length;
        long[] fps = new long[n + 1];
        long[] tps = new long[n + 1];
        for (int i = 0; i < n; i++) {
            int cell = (int) order[n - 1 - i]; // the low 32 bits: the cell's index in counts
            fps[i + 1] = fps[i] + counts[2 * cell];
            tps[i + 1] = tps[i] + counts[2 * cell + 1];
        }
        return new RocCounts(fps, tps);
    }

    /** Every point, as rates. */
    RocCurve all(double aucErrorBound) {
        int[] all = new int[fps.length];
        Arrays.setAll(all, i -> i);
        return curve(all, aucErrorBound);
    }

    /**
     * At most {@code maxPoints} (&ge; 2) points, as rates: interior points on a straight segment are
     * dropped (they add nothing to the drawn polygon), and if more than {@code maxPoints} remain, the
     * first vertex at or past each of {@code maxPoints - 1} equal steps of {@code fpr + tpr} is kept,
     * with the two ends. Every point returned is one of {@link #all}, unmoved.
     */
    RocCurve thinned(int maxPoints, double aucErrorBound) {
        return curve(thin(maxPoints), aucErrorBound);
    }

    private int[] thin(int maxPoints) {
        int last = fps.length - 1;
        int[] vertices = new int[fps.length];
        int count = 0;
        vertices[count++] = 0;
        for (int i = 1; i < last; i++) {
            // Steps are non-zero and point up-right; a zero cross product means one straight line.
            // Compared as 128-bit products without an Int128 per point (a full sketch has 100,000 of them).
            long a1 = fps[i] - fps[i - 1];
            long a2 = tps[i + 1] - tps[i];
            long b1 = tps[i] - tps[i - 1];
            long b2 = fps[i + 1] - fps[i];
            if (a1 * a2 != b1 * b2 || Math.multiplyHigh(a1, a2) != Math.multiplyHigh(b1, b2)) {
                vertices[count++] = i;
            }
        }
        vertices[count++] = last;
        if (count <= maxPoints) {
            return Arrays.copyOf(vertices, count);
        }
        long negatives = fps[last];
        long positives = tps[last];
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

    private RocCurve curve(int[] chosen, double aucErrorBound) {
        long negatives = fps[fps.length - 1];
        long positives = tps[tps.length - 1];
        List<Double> fpr = new ArrayList<>(chosen.length);
        List<Double> tpr = new ArrayList<>(chosen.length);
        for (int i : chosen) {
            fpr.add((double) fps[i] / negatives);
            tpr.add((double) tps[i] / positives);
        }
        return new RocCurve(fpr, tpr, aucErrorBound);
    }
}

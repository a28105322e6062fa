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

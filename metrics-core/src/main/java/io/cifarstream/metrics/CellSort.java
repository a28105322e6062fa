package io.cifarstream.metrics;

import java.util.Arrays;

/**
 * Sorts packed cells, {@code key << 32 | slot} with a non-negative key, by key: an LSD radix sort in
 * three 11-bit passes over the high 32 bits, several times faster than a comparison sort on the
 * 100,000-cell sketches a report sorts every second. Small arrays take {@link Arrays#sort(long[])},
 * which is as fast there; the two agree wherever the keys are distinct or equal keys come in ascending
 * order of their low bits (the radix sort is stable).
 */
final class CellSort {

    private static final int RADIX_BITS = 11;
    private static final int RADIX = 1 << RADIX_BITS;
    /** Below this many cells a comparison sort is as fast as the radix passes. */
    private static final int RADIX_MIN_CELLS = 2048;

    private CellSort() {
    }

    /** The cells in ascending order of key: {@code cells} itself, sorted, or a new array. */
    static long[] byKey(long[] cells) {
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
}

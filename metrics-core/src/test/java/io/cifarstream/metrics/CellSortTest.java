package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CellSortTest {

    /** Cells sort by key alike whether the sort is the comparison sort (few cells) or the radix sort. */
    @Test
    void cellsSortByKeyAtEverySize() {
        Random random = new Random(3);
        for (int n : new int[] {0, 1, 7, 2047, 2048, 100_000}) {
            long[] cells = new long[n];
            for (int i = 0; i < n; i++) {
                cells[i] = ((long) random.nextInt(Integer.MAX_VALUE) << 32) | i;
            }
            long[] expected = cells.clone();
            Arrays.sort(expected);
            assertThat(CellSort.byKey(cells.clone())).as("%d cells", n).isEqualTo(expected);
        }
    }

    /** Many equal keys, low bits in no order: every radix pass is stable, so equal keys keep their input order. */
    @Test
    void equalKeysKeepTheirOrderInTheRadixSort() {
        Random random = new Random(8);
        int n = 10_000;
        long[] cells = new long[n];
        for (int i = 0; i < n; i++) {
            cells[i] = ((long) random.nextInt(50) << 32) | random.nextInt(1 << 29);
        }
        long[] sorted = CellSort.byKey(cells.clone());
        long[] expected = Arrays.stream(cells).boxed()
                .sorted((a, b) -> Integer.compare((int) (a >>> 32), (int) (b >>> 32)))
                .mapToLong(Long::longValue).toArray();
        assertThat(sorted).isEqualTo(expected);
    }

    /** Keys that differ in the lowest digit only, in the two lower digits, or at the top of the 31-bit range. */
    @Test
    void keysInEveryRadixDigitMatchArraysSort() {
        Random random = new Random(21);
        int[][] lowestAndSpan = {{0, 1 << 11}, {0, 1 << 22}, {Integer.MAX_VALUE - (1 << 12) + 1, 1 << 12}};
        for (int[] range : lowestAndSpan) {
            long[] cells = new long[5_000];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = ((long) (range[0] + random.nextInt(range[1])) << 32) | i;
            }
            long[] expected = cells.clone();
            Arrays.sort(expected);
            assertThat(CellSort.byKey(cells)).as("keys from %d", range[0]).isEqualTo(expected);
        }
    }
}

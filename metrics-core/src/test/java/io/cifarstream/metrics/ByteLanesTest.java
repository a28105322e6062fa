package io.cifarstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ByteLanesTest {

    /** Every pair of byte values, in every lane, beside random neighbours: each lane is on its own. */
    @Test
    void eachLaneHoldsTheAbsoluteDifferenceAndTheComparisonOfItsOwnTwoBytes() {
        Random random = new Random(3);
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                int lane = (a * 256 + b) % Long.BYTES;
                long x = random.nextLong();
                long y = random.nextLong();
                x = x & ~(0xFFL << 8 * lane) | (long) a << 8 * lane;
                y = y & ~(0xFFL << 8 * lane) | (long) b << 8 * lane;
                for (int k = 0; k < Long.BYTES; k++) {
                    int xk = (int) (x >>> 8 * k) & 0xFF;
                    int yk = (int) (y >>> 8 * k) & 0xFF;
                    assertThat((int) (ByteLanes.absoluteDifference(x, y) >>> 8 * k) & 0xFF)
                            .as("|%d - %d| in lane %d", xk, yk, k).isEqualTo(Math.abs(xk - yk));
                    assertThat((int) (ByteLanes.lanesWhereLess(x, y) >>> 8 * k) & 0xFF)
                            .as("%d < %d in lane %d", xk, yk, k).isEqualTo(xk < yk ? 0xFF : 0);
                }
            }
        }
    }

    /** Sums over any stretch, offset and distance, extremes included, equal the plain loops'. */
    @Test
    void sumsOfDifferencesAndSpreadsEqualThePlainLoopsAtAnyLengthAndOffset() {
        Random random = new Random(5);
        for (int trial = 0; trial < 500; trial++) {
            int count = random.nextInt(trial < 400 ? 40 : 5000);
            int offset = random.nextInt(9);
            byte[] p = new byte[offset + 3 * count + 70];
            random.nextBytes(p);
            if (trial % 4 == 0) {
                for (int i = 0; i < p.length; i++) {
                    p[i] = (byte) (random.nextBoolean() ? 0 : 255); // the largest differences, in every lane at once
                }
            }
            int distance = 1 + random.nextInt(64);
            long differences = 0;
            for (int i = offset; i < offset + count; i++) {
                differences += Math.abs((p[i] & 0xFF) - (p[i + distance] & 0xFF));
            }
            long spreads = 0;
            for (int i = offset; i < offset + count; i++) {
                int r = p[i] & 0xFF;
                int g = p[i + count] & 0xFF;
                int b = p[i + 2 * count] & 0xFF;
                spreads += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b));
            }
            assertThat(ByteLanes.absoluteDifferences(p, offset, count, distance))
                    .as("%d differences %d apart from %d", count, distance, offset).isEqualTo(differences);
            assertThat(ByteLanes.spreads(p, offset, count)).as("%d spreads from %d", count, offset).isEqualTo(spreads);
        }
        assertThat(ByteLanes.absoluteDifferences(new byte[4], 0, -2, 1)).as("no pairs").isZero();
    }
}

package io.cifarstream.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Sums over unsigned 8-bit pixels, eight at a time in the byte lanes of a {@code long} (SIMD within a register).
 * Java 17's JIT (the release this project builds for) does not vectorize a loop that widens bytes to ints: with the
 * {@link ImageStatistics}' absolute differences and channel spreads taken one pixel at a time, the scorer's decode
 * phase took 0.93-1.05 s per 80,000 images against 0.56-0.66 s with these lanes (docs/benchmarks.md). Per lane, a
 * difference is taken without a borrow crossing into the next lane (Hacker's Delight, 2-18), and lane sums are
 * gathered in 16-bit lanes, which hold 128 rounds of two bytes (128 * 2 * 255 &lt; 2^16) before they are added into a
 * {@code long}: the results are exact, and equal to the plain loops' at any size.
 */
final class ByteLanes {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long EVEN_BYTES = 0x00FF00FF00FF00FFL;
    /** Bytes per round of eight lanes times the rounds one set of 16-bit lane sums holds. */
    private static final int BLOCK = Long.BYTES * 128;

    private ByteLanes() {
    }

    /** {@code sum |p[i] - p[i + distance]|} over {@code i = from .. from+count-1} (none when count <= 0). */
    static long absoluteDifferences(byte[] p, int from, int count, int distance) {
        int end = from + Math.max(count, 0);
        int lastRound = end - Long.BYTES;
        long total = 0;
        int i = from;
        while (i <= lastRound) {
            int stop = Math.min(lastRound + 1, i + BLOCK);
            long lanes = 0;
            for (; i < stop; i += Long.BYTES) {
                long d = absoluteDifference((long) LONGS.get(p, i), (long) LONGS.get(p, i + distance));
                lanes += (d & EVEN_BYTES) + ((d >>> 8) & EVEN_BYTES);
            }
            total += sumOf16BitLanes(lanes);
        }
        for (; i < end; i++) {
            total += Math.abs((p[i] & 0xFF) - (p[i + distance] & 0xFF));
        }
        return total;
    }

    /**
     * {@code sum max(R, G, B) - min(R, G, B)} over the {@code count} pixels of three planes that start at
     * {@code red}, {@code red + count} and {@code red + 2 * count}.
     */
    static long spreads(byte[] p, int red, int count) {
        int end = red + count;
        int lastRound = end - Long.BYTES;
        long total = 0;
        int i = red;
        while (i <= lastRound) {
            int stop = Math.min(lastRound + 1, i + BLOCK);
            long lanes = 0;
            for (; i < stop; i += Long.BYTES) {
                long r = (long) LONGS.get(p, i);
                long g = (long) LONGS.get(p, i + count);
                long b = (long) LONGS.get(p, i + 2 * count);
                long rg = lanesWhereLess(r, g) & (r ^ g);
                long max = r ^ rg;
                long min = g ^ rg;
                max ^= lanesWhereLess(max, b) & (max ^ b);
                min ^= lanesWhereLess(b, min) & (min ^ b);
                long spread = max - min; // max >= min in every lane: no borrow crosses lanes
                lanes += (spread & EVEN_BYTES) + ((spread >>> 8) & EVEN_BYTES);
            }
            total += sumOf16BitLanes(lanes);
        }
        for (; i < end; i++) {
            int r = p[i] & 0xFF;
            int g = p[i + count] & 0xFF;
            int b = p[i + 2 * count] & 0xFF;
            total += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b));
        }
        return total;
    }

    /** Per byte lane, {@code |a - b|}. */
    static long absoluteDifference(long a, long b) {
        long difference = laneDifference(a, b);
        long borrowed = borrows(a, b, difference) >>> 7;
        // Where a < b the lane holds a - b + 256: its complement plus one is b - a (at most 255, so no carry out).
        return (difference ^ (borrowed * 0xFF)) + borrowed;
    }

    /** Per byte lane, 0xFF where {@code a < b} (unsigned), else 0. */
    static long lanesWhereLess(long a, long b) {
        return (borrows(a, b, laneDifference(a, b)) >>> 7) * 0xFF;
    }

    /** Per byte lane, {@code (a - b) mod 256}. */
    private static long laneDifference(long a, long b) {
        return ((a | HIGH_BITS) - (b & ~HIGH_BITS)) ^ ((a ^ ~b) & HIGH_BITS);
    }

    /** Per byte lane, the high bit set where {@code a - b} borrowed, that is where {@code a < b}. */
    private static long borrows(long a, long b, long difference) {
        return ((~a & b) | (~(a ^ b) & difference)) & HIGH_BITS;
    }

    private static long sumOf16BitLanes(long lanes) {
        return (lanes & 0xFFFF) + ((lanes >>> 16) & 0xFFFF) + ((lanes >>> 32) & 0xFFFF) + (lanes >>> 48);
    }
}

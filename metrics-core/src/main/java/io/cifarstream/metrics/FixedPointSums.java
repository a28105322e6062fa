package io.cifarstream.metrics;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A fixed number of non-negative sums of values in [0, 1]: each value is rounded to a multiple of
 * {@link #UNIT} = 2^-52 (at most 2^-53 off, a double's spacing just below 1) and the multiples are summed
 * in 128-bit integers. So adding, removing and merging are exact and order-free: a view that added and
 * removed records holds bit for bit the state of one that never saw them, and a sum is within
 * {@code n · 2^-53} of the unrounded sum of its n values. 2^75 values fit in a sum.
 *
 * <p>Allocation-free on add and remove (the sums live in one {@code long[]}); not thread-safe.
 */
final class FixedPointSums {

    static final double UNIT = 0x1p-52;
    private static final double SCALE = 0x1p52;

    /** Sum i is {@code words[2i] * 2^64 + unsigned(words[2i + 1])} units. */
    private final long[] words;

    FixedPointSums(int size) {
        this.words = new long[2 * size];
    }

    private FixedPointSums(long[] words) {
        this.words = words;
    }

    FixedPointSums copy() {
        return new FixedPointSums(words.clone());
    }

    int size() {
        return words.length / 2;
    }

    /** The units of a value in [0, 1]. */
    static long units(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("a fixed-point summand must be in [0, 1], got " + value);
        }
        return Math.round(value * SCALE);
    }

    void add(int i, long units) {
        long lo = words[2 * i + 1];
        long sum = lo + units;
        words[2 * i] += Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
        words[2 * i + 1] = sum;
    }

    /** Whether sum i holds at least {@code units}, i.e. a subtraction keeps it non-negative. */
    boolean covers(int i, long units) {
        return words[2 * i] > 0 || Long.compareUnsigned(words[2 * i + 1], units) >= 0;
    }

    /** Subtracts units the caller checked with {@link #covers}. */
    void subtract(int i, long units) {
        long lo = words[2 * i + 1];
        words[2 * i] -= Long.compareUnsigned(lo, units) < 0 ? 1 : 0;
        words[2 * i + 1] = lo - units;
    }

    void addAll(FixedPointSums other) {
        if (other.words.length != words.length) {
            throw new IllegalArgumentException("cannot add " + other.size() + " sums to " + size());
        }
        long[] source = other == this ? other.words.clone() : other.words;
        for (int i = 0; i < size(); i++) {
            long lo = words[2 * i + 1];
            long sum = lo + source[2 * i + 1];
            words[2 * i] += source[2 * i] + (Long.compareUnsigned(sum, lo) < 0 ? 1 : 0);
            words[2 * i + 1] = sum;
        }
    }

    /** Sum i as a double, within a relative 2^-52 of the exact sum of units times 2^-52. */
    double value(int i) {
        return new Int128(words[2 * i], words[2 * i + 1]).toDouble() * UNIT;
    }

    /** Bytes of {@link #write}: each sum an unsigned LEB128 varint of up to 19 bytes. */
    int sizeBytes() {
        int bytes = 0;
        for (int i = 0; i < size(); i++) {
            int bits = words[2 * i] != 0 ? 128 - Long.numberOfLeadingZeros(words[2 * i])
                    : 64 - Long.numberOfLeadingZeros(words[2 * i + 1] | 1);
            bytes += (bits + 6) / 7;
        }
        return bytes;
    }

    void write(ByteBuffer out) {
        for (int i = 0; i < size(); i++) {
            long hi = words[2 * i];
            long lo = words[2 * i + 1];
            while (hi != 0 || (lo & ~0x7FL) != 0) {
                out.put((byte) ((lo & 0x7F) | 0x80));
                lo = (lo >>> 7) | (hi << 57);
                hi >>>= 7;
            }
            out.put((byte) lo);
        }
    }

    static FixedPointSums read(ByteBuffer in, int size) {
        long[] words = new long[2 * size];
        for (int i = 0; i < size; i++) {
            long hi = 0;
            long lo = 0;
            for (int shift = 0; ; shift += 7) {
                if (shift > 126) {
                    throw new IllegalArgumentException("a fixed-point sum longer than 19 bytes at byte " + in.position());
                }
                long bits = in.get() & 0x7F;
                lo |= shift < 64 ? bits << shift : 0;
                hi |= shift > 57 ? (shift < 64 ? bits >>> (64 - shift) : bits << (shift - 64)) : 0;
                if ((in.get(in.position() - 1) & 0x80) == 0) {
                    break;
                }
            }
            if (hi < 0) {
                throw new IllegalArgumentException("fixed-point sum " + i + " is beyond 2^127 units");
            }
            words[2 * i] = hi;
            words[2 * i + 1] = lo;
        }
        return new FixedPointSums(words);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FixedPointSums other && Arrays.equals(words, other.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }
}

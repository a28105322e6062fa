package io.cifarstream.metrics;

/**
 * A signed 128-bit two's-complement integer, {@code hi * 2^64 + unsigned(lo)}.
 *
 * <p>Counts multiply into products beyond {@code long} (a year of records gives positives x negatives
 * above 2^63), and exact sums stay exact under add and remove only in integers; this is the one place
 * that arithmetic lives.
 */
record Int128(long hi, long lo) {

    static final Int128 ZERO = new Int128(0, 0);

    static Int128 of(long value) {
        return new Int128(value < 0 ? -1 : 0, value);
    }

    /** The exact signed product {@code a * b}. */
    static Int128 product(long a, long b) {
        return new Int128(Math.multiplyHigh(a, b), a * b);
    }

    Int128 plus(Int128 other) {
        long low = lo + other.lo;
        long carry = Long.compareUnsigned(low, lo) < 0 ? 1 : 0;
        return new Int128(hi + other.hi + carry, low);
    }

    Int128 plus(long value) {
        return plus(of(value));
    }

    Int128 negate() {
        long low = -lo;
        return new Int128(~hi + (lo == 0 ? 1 : 0), low);
    }

    Int128 minus(Int128 other) {
        return plus(other.negate());
    }

    int signum() {
        if (hi != 0) {
            return hi < 0 ? -1 : 1;
        }
        return lo == 0 ? 0 : 1;
    }

    /** A double within a relative 2^-52 of the value (at most two roundings). */
    double toDouble() {
        if (hi < 0) {
            return -negate().toDouble();
        }
        // lo >>> 11 has at most 53 bits, so it converts exactly; only the additions round.
        double low = (double) (lo >>> 11) * 0x1p11 + (lo & 0x7FFL);
        return hi * 0x1p64 + low;
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

class Int128Test {

    private static BigInteger big(Int128 v) {
        return BigInteger.valueOf(v.hi()).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(v.lo())));
    }

    @Test
    void arithmeticMatchesBigInteger() {
        Random random = new Random(7);
        Int128 sum = Int128.ZERO;
        BigInteger expected = BigInteger.ZERO;
        for (int i = 0; i < 10_000; i++) {
            // Products below 2^110, so 10,000 of them cannot leave the 128-bit range.
            long a = random.nextLong() >> 9;
            long b = random.nextLong() >> 9;
            Int128 product = Int128.product(a, b);
            assertThat(big(product)).isEqualTo(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)));
            if (random.nextBoolean()) {
                sum = sum.plus(product);
                expected = expected.add(big(product));
            } else {
                sum = sum.minus(product);
                expected = expected.subtract(big(product));
            }
            assertThat(big(sum)).isEqualTo(expected);
        }
        assertThat(sum.toDouble()).isCloseTo(expected.doubleValue(), withinPercentage(1e-12));
        assertThat(Int128.of(-5).toDouble()).isEqualTo(-5.0);
        assertThat(Int128.of(-5).plus(5).signum()).isZero();
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FixedPointSumsTest {

    @Test
    void aValueIsRoundedToTwoToTheMinus52() {
        assertThat(FixedPointSums.units(1.0)).isEqualTo(1L << 52);
        assertThat(FixedPointSums.units(0.1) * FixedPointSums.UNIT).isCloseTo(0.1, within(0x1p-53));
        assertThatThrownBy(() -> FixedPointSums.units(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FixedPointSums.units(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sumsCarryPastSixtyFourBitsAndBorrowBack() {
        FixedPointSums sums = new FixedPointSums(1);
        long one = FixedPointSums.units(1.0);
        int records = 5_000; // 5,000 x 2^52 > 2^64
        for (int i = 0; i < records; i++) {
            sums.add(0, one);
        }
        assertThat(sums.value(0)).isEqualTo(records);
        for (int i = 0; i < records; i++) {
            assertThat(sums.covers(0, one)).isTrue();
            sums.subtract(0, one);
        }
        assertThat(sums).isEqualTo(new FixedPointSums(1));
        assertThat(sums.covers(0, 1)).isFalse();
    }

    @Test
    void bytesRoundTripSmallAndHugeSums() {
        FixedPointSums sums = new FixedPointSums(3);
        sums.add(1, 127);
        for (int i = 0; i < 100_000; i++) {
            sums.add(2, FixedPointSums.units(0.999));
        }
        ByteBuffer out = ByteBuffer.allocate(sums.sizeBytes());
        sums.write(out);
        assertThat(out.hasRemaining()).isFalse();
        out.flip();
        FixedPointSums read = FixedPointSums.read(out, 3);
        assertThat(read).isEqualTo(sums);
        assertThat(read.value(2)).isCloseTo(99_900, within(1e-6));
        // An empty sum is one byte; 127 units is one byte; 2^69-ish units take ten.
        assertThat(sums.sizeBytes()).isEqualTo(1 + 1 + 10);
    }
}

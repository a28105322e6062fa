package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The three ways of choosing a range, on distributions whose answers are known. */
class CalibrationMethodTest {

    /** A ReLU-like tensor: half zeros, the rest |N(0,1)|, and {@code outliers} values of 40. */
    static ActivationStatistics reluWithOutliers(int outliers) {
        Random random = new Random(7);
        float[] values = new float[200_000 + outliers];
        for (int i = 0; i < 200_000; i++) {
            values[i] = i % 2 == 0 ? 0f : (float) Math.abs(random.nextGaussian());
        }
        for (int i = 200_000; i < values.length; i++) {
            values[i] = 40f;
        }
        ActivationStatistics statistics = new ActivationStatistics();
        statistics.observeRange(values, values.length);
        statistics.observeHistogram(values, values.length);
        return statistics;
    }

    @Test
    void minMaxKeepsEverythingItSaw() {
        TensorRange range = CalibrationMethod.MINMAX.range(reluWithOutliers(10));
        assertThat(range.min()).isZero();
        assertThat(range.max()).isEqualTo(40f);
    }

    @Test
    void percentileClipsTheRarestOutliersOfTheNonZeroValues() {
        ActivationStatistics statistics = reluWithOutliers(1);
        assertThat(statistics.count()).as("zeros stay out of the histogram").isEqualTo(100_001);
        TensorRange range = CalibrationMethod.PERCENTILE.range(statistics);
        // 99.999% of 100,001 non-zero values leaves out one: the outlier; the rest lie below ~4.5 sigma of |N(0,1)|.
        assertThat(range.max()).isBetween(3.5f, 5f);
        assertThat(range.min()).isZero();
    }

    @Test
    void entropyClipsToTheBulkOfTheDistribution() {
        TensorRange range = CalibrationMethod.ENTROPY.range(reluWithOutliers(10));
        assertThat(range.max()).isBetween(2f, 5f);
    }

    @Test
    void aSignedTensorIsClippedSymmetricallyWithinWhatWasSeen() {
        float[] values = new float[100_000];
        Random random = new Random(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() + 0.5);
        }
        values[0] = -30f;
        ActivationStatistics statistics = new ActivationStatistics();
        statistics.observeRange(values, values.length);
        statistics.observeHistogram(values, values.length);
        TensorRange range = CalibrationMethod.PERCENTILE.range(statistics);
        assertThat(range.min()).as("the outlier at -30 clipped").isBetween(-6f, -3f);
        assertThat(range.max()).isEqualTo(statistics.max());
        assertThat(CalibrationMethod.MINMAX.range(statistics).min()).isEqualTo(-30f);
    }

    @Test
    void uint8QuantizationKeepsZeroExact() {
        assertThat(UInt8Quantization.of(new TensorRange(0f, 2.55f))).isEqualTo(new UInt8Quantization(0.01f, 0));
        UInt8Quantization signed = UInt8Quantization.of(new TensorRange(-1f, 1f));
        assertThat(signed.scale()).isEqualTo(2f / 255f);
        assertThat(signed.zeroPoint()).isBetween(127, 128);
        assertThat(-signed.zeroPoint() * signed.scale()).isCloseTo(-1f, within(signed.scale()));
        assertThat(UInt8Quantization.of(new TensorRange(0.5f, 1f)).zeroPoint()).as("range widened to 0").isZero();
        assertThat(UInt8Quantization.of(new TensorRange(0f, 0f))).isEqualTo(new UInt8Quantization(1f, 0));
    }

    @Test
    void weightsArePerChannelSymmetricInt8AlongTheOutputAxis() {
        // [2 channels, 3 values]: channel 0 peaks at 2, channel 1 at -0.5.
        float[] weights = {2f, -1f, 0.5f, 0.25f, -0.5f, 0f};
        float[] scales = new float[2];
        byte[] q = QdqRewriter.symmetricInt8(weights, new long[] {2, 3}, 0, scales);
        assertThat(scales).containsExactly(2f / 127, 0.5f / 127);
        assertThat(q).containsExactly(127, -64, 32, 64, -127, 0);
        // The same values as [3, 2] with the channel on axis 1 (Gemm's B without transB).
        float[] columns = {2f, 0.25f, -1f, -0.5f, 0.5f, 0f};
        byte[] qColumns = QdqRewriter.symmetricInt8(columns, new long[] {3, 2}, 1, scales);
        assertThat(scales).containsExactly(2f / 127, 0.5f / 127);
        assertThat(qColumns).containsExactly(127, 64, -64, -127, 32, 0);
    }
}

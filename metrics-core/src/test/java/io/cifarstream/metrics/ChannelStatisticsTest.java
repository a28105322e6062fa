package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelStatisticsTest {

    /** Four images (random, constant, black and white halves, a ramp) against numpy's mean and std of x / 255. */
    @Test
    void areNumpysMeanAndPopulationStdOfPixelsOver255InFloat32() {
        JsonNode reference = MonitoringFixture.json().get("channel_statistics");
        byte[] pixels = Base64.getDecoder().decode(reference.get("pixels_base64").asText());
        float[] out = new float[ChannelStatistics.LENGTH];
        for (int image = 0; image < reference.get("expected").size(); image++) {
            ChannelStatistics.compute(pixels, image * 3072, 1024, out);
            for (int s = 0; s < ChannelStatistics.LENGTH; s++) {
                float expected = (float) reference.get("expected").get(image).get(s).asDouble();
                // float32 of numpy's float64 result: at most one float32 step apart where the roundings differ; numpy's
                // two-pass deviation of a constant image is 5.6e-17, ours exactly 0.
                assertThat(Math.abs(out[s] - expected)).as("image %d statistic %d", image, s)
                        .isLessThanOrEqualTo(Math.ulp(expected) + 1e-15f);
            }
        }
    }

    @Test
    void aConstantImageHasDeviationZeroAndItsValueAsMean() {
        byte[] pixels = new byte[3 * 4];
        java.util.Arrays.fill(pixels, (byte) 255);
        float[] out = new float[6];
        ChannelStatistics.compute(pixels, 0, 4, out);
        assertThat(out).containsExactly(1f, 1f, 1f, 0f, 0f, 0f);
    }

    /** Sums over more pixels than an int holds the squares of stay exact: the largest image, all white. */
    @Test
    void theLargestImagesSumExactly() {
        byte[] white = new byte[3 * ChannelStatistics.MAX_PIXELS];
        java.util.Arrays.fill(white, (byte) 255);
        float[] out = new float[6];
        ChannelStatistics.compute(white, 0, ChannelStatistics.MAX_PIXELS, out);
        assertThat(out).containsExactly(1f, 1f, 1f, 0f, 0f, 0f);

        // Half black, half white over 70,000 pixels a channel: mean and deviation exactly one half.
        int n = 70_000;
        byte[] halves = new byte[3 * n];
        for (int c = 0; c < 3; c++) {
            java.util.Arrays.fill(halves, c * n + n / 2, (c + 1) * n, (byte) 255);
        }
        ChannelStatistics.compute(halves, 0, n, out);
        assertThat(out).containsExactly(0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
    }

    @Test
    void theStatisticsOfManyImagesGoSideBySideInOneArray() {
        byte[] pixels = new byte[2 * 3 * 4];
        java.util.Arrays.fill(pixels, 12, 24, (byte) 51);
        float[] batch = new float[2 * ChannelStatistics.LENGTH + 1];
        batch[12] = -1f;
        ChannelStatistics.compute(pixels, 0, 4, batch, 0);
        ChannelStatistics.compute(pixels, 12, 4, batch, ChannelStatistics.LENGTH);
        assertThat(batch).containsExactly(0f, 0f, 0f, 0f, 0f, 0f, 0.2f, 0.2f, 0.2f, 0f, 0f, 0f, -1f);
        assertThatThrownBy(() -> ChannelStatistics.compute(pixels, 0, 4, batch, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from index 8");
    }

    @Test
    void rejectsAnImageOutsideTheArray() {
        assertThatThrownBy(() -> ChannelStatistics.compute(new byte[3071], 0, 1024, new float[6]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> ChannelStatistics.require(new float[] {0.5f, 0.5f, 0.5f, 0.1f, Float.NaN, 0.1f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    }
}

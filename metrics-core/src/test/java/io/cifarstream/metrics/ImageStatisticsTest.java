package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageStatisticsTest {

    /**
     * Five images (random, constant, black and white halves, a ramp, a checkerboard) against numpy's mean and std of
     * x / 255, chroma and detail ratio.
     */
    @Test
    void areNumpysMeansDeviationsChromaAndDetailInFloat32() {
        JsonNode reference = MonitoringFixture.json().get("channel_statistics");
        byte[] pixels = Base64.getDecoder().decode(reference.get("pixels_base64").asText());
        float[] out = new float[ImageStatistics.LENGTH];
        for (int image = 0; image < reference.get("expected").size(); image++) {
            ImageStatistics.compute(pixels, image * 3072, 32, 32, out);
            for (int s = 0; s < ImageStatistics.LENGTH; s++) {
                float expected = (float) reference.get("expected").get(image).get(s).asDouble();
                // float32 of numpy's float64 result: at most one float32 step apart where the roundings differ; numpy's
                // two-pass deviation of a constant image is 5.6e-17, ours exactly 0.
                assertThat(Math.abs(out[s] - expected)).as("image %d statistic %d", image, s)
                        .isLessThanOrEqualTo(Math.ulp(expected) + 1e-15f);
            }
        }
    }

    @Test
    void aConstantImageHasItsValueAsMeanAndNoDeviationChromaOrDetail() {
        byte[] pixels = new byte[3 * 4];
        java.util.Arrays.fill(pixels, (byte) 255);
        float[] out = new float[ImageStatistics.LENGTH];
        ImageStatistics.compute(pixels, 0, 2, 2, out);
        assertThat(out).containsExactly(1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f);
    }

    @Test
    void chromaIsTheMeanSpreadOfRgbAndDetailTheRatioOfNearToFarDifferences() {
        // One row of 4 pixels: red ramps 0, 51, 102, 153; green 0 everywhere; blue 51 everywhere.
        byte[] pixels = {0, 51, 102, (byte) 153, 0, 0, 0, 0, 51, 51, 51, 51};
        float[] out = new float[ImageStatistics.LENGTH];
        ImageStatistics.compute(pixels, 0, 4, 1, out);
        // Spreads 51, 51, 102, 153: mean 89.25 / 255 = 0.35.
        assertThat(out[ImageStatistics.CHROMA]).isEqualTo(0.35f);
        // Neighbours differ by 51 three times, pixels two apart by 102 twice: 153 / 204.
        assertThat(out[ImageStatistics.DETAIL]).isEqualTo(0.75f);
    }

    @Test
    void theStatisticsOfManyImagesGoSideBySideInOneArray() {
        byte[] pixels = new byte[2 * 3 * 4];
        java.util.Arrays.fill(pixels, 12, 24, (byte) 51);
        float[] batch = new float[2 * ImageStatistics.LENGTH + 1];
        batch[16] = -1f;
        ImageStatistics.compute(pixels, 0, 2, 2, batch, 0);
        ImageStatistics.compute(pixels, 12, 2, 2, batch, ImageStatistics.LENGTH);
        assertThat(batch).containsExactly(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0.2f, 0.2f, 0.2f, 0f, 0f, 0f, 0f, 0f, -1f);
        assertThatThrownBy(() -> ImageStatistics.compute(pixels, 0, 2, 2, batch, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from index 10");
    }

    @Test
    void rejectsAnImageOutsideTheArray() {
        assertThatThrownBy(() -> ImageStatistics.compute(new byte[3071], 0, 32, 32, new float[8]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> ImageStatistics.require(new float[] {0.5f, 0.5f, 0.5f, 0.1f, Float.NaN, 0.1f, 0.1f, 0.6f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    }
}

package io.cifarstream.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cifarstream.schemas.CifarShape;

/** Which convention a model gets: its metadata's when it declares one, the flags' otherwise. */
class InputConventionTest {
    static final ModelOptions HALF = ModelOptions.defaults()
            .withNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});

    static float[] first(InputConvention convention, int... pixelValues) {
        byte[] pixels = new byte[CifarShape.PIXELS];
        for (int c = 0; c < 3; c++) {
            pixels[c * 1024] = (byte) pixelValues[c];
        }
        FloatBuffer out = FloatBuffer.allocate(CifarShape.PIXELS);
        convention.fill(pixels, 0, 1, out);
        return new float[] {out.get(0), out.get(1024), out.get(2048)};
    }

    @Test
    void rawPixelModelsGetTheirBytesWhateverTheFlags() {
        InputConvention raw = InputConvention.of(new ModelMetadata(Map.of(ModelMetadata.INPUT, "pixels_0_255")), HALF);
        assertThat(first(raw, 0, 128, 255)).containsExactly(0f, 128f, 255f);
        assertThat(raw.metadata()).containsExactly(Map.entry(ModelMetadata.INPUT, "pixels_0_255"));
    }

    @Test
    void aModelWithoutMetadataTakesTheFlagsNormalization() {
        InputConvention flags = InputConvention.of(new ModelMetadata(Map.of()), HALF);
        assertThat(first(flags, 0, 255, 51)).containsExactly(new float[] {-1f, 1f, -0.6f}, within(1e-6f));
    }

    @Test
    void aDeclaredNormalizationWinsOverTheFlagsAndIsWrittenBackTheSame() {
        InputConvention declared = InputConvention.normalized(new float[] {0.25f, 0.5f, 0.75f},
                new float[] {0.5f, 0.25f, 0.125f});
        ModelMetadata metadata = new ModelMetadata(declared.metadata());
        assertThat(metadata.get(ModelMetadata.INPUT)).contains("normalized");
        assertThat(metadata.get(ModelMetadata.INPUT_MEAN)).contains("0.25,0.5,0.75");
        InputConvention read = InputConvention.of(metadata, HALF);
        assertThat(first(read, 255, 255, 255)).containsExactly(new float[] {1.5f, 2f, 2f}, within(1e-6f));
        assertThat(read.metadata()).isEqualTo(declared.metadata());
    }

    @Test
    void aDeclaredNormalizationWithoutThreeNumbersIsRefusedNamingTheKey() {
        ModelMetadata broken = new ModelMetadata(Map.of(ModelMetadata.INPUT, "normalized",
                ModelMetadata.INPUT_MEAN, "0.5,0.5", ModelMetadata.INPUT_STD, "1,1,1"));
        assertThatThrownBy(() -> InputConvention.of(broken, ModelOptions.defaults()))
                .isInstanceOf(ModelUnusableException.class).hasMessageContaining("cifarstream.input_mean")
                .hasMessageContaining("'0.5,0.5'");
    }
}

package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.testkit.CifarTestData;

/** For graph rewrites that must not change what a model computes: both models score the same real test images. */
final class SameScores {
    static final int IMAGES = 200;

    private SameScores() {
    }

    /**
     * Writes {@code rewritten} as {@code file} and asserts that, fed as the original is ({@code options}), it gives the
     * log-probabilities of {@code original}, each within {@code tolerance}.
     */
    static void assertSameScores(Path original, ModelOptions options, ModelProto rewritten, Path file,
            float tolerance) throws IOException {
        OnnxModels.write(rewritten, file);
        assertSameScores(original, options, file, options, tolerance);
    }

    /**
     * Asserts that {@code rewritten} gives the log-probabilities of {@code original}, each within {@code tolerance}
     * (0: bit for bit), on the first {@value #IMAGES} CIFAR-10 test images.
     */
    static void assertSameScores(Path original, ModelOptions originalOptions, Path rewritten,
            ModelOptions rewrittenOptions, float tolerance) {
        CifarImages images = CifarTestData.cifar10().test().first(IMAGES);
        float[] expected = new float[IMAGES * 10];
        float[] actual = new float[IMAGES * 10];
        try (OnnxClassifier before = OnnxClassifier.load(original, originalOptions);
                OnnxClassifier after = OnnxClassifier.load(rewritten, rewrittenOptions)) {
            before.logProbabilities(images.pixels(), 0, IMAGES, expected);
            after.logProbabilities(images.pixels(), 0, IMAGES, actual);
        }
        assertThat(actual).containsExactly(expected, within(tolerance));
    }
}

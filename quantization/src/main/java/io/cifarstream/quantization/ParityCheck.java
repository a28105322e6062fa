package io.cifarstream.quantization;

import java.nio.file.Path;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.schemas.CifarShape;

/** Scores the test split with the fp32 and the int8 model and compares their decisions. */
final class ParityCheck {
    private ParityCheck() {
    }

    /**
     * Agreement and the largest |log-prob difference| on the fp32 model's class over the first {@code parityImages}
     * test images; both accuracies over all of {@code test}.
     */
    static ParityReport run(Path fp32, Path int8, ModelOptions options, CifarImages test, int parityImages) {
        int count = test.size();
        float[] reference = scores(fp32, options, test);
        float[] quantized = scores(int8, options, test);
        int compared = Math.min(parityImages, count);
        int agreements = 0;
        double maxDifference = 0;
        int fp32Correct = 0;
        int int8Correct = 0;
        for (int i = 0; i < count; i++) {
            int expected = OnnxClassifier.predictedClass(reference, i);
            int got = OnnxClassifier.predictedClass(quantized, i);
            fp32Correct += expected == test.label(i) ? 1 : 0;
            int8Correct += got == test.label(i) ? 1 : 0;
            if (i < compared) {
                agreements += expected == got ? 1 : 0;
                int at = i * CifarShape.CLASSES + expected;
                double difference = Math.abs(reference[at] - quantized[at]);
                maxDifference = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : Math.max(maxDifference, difference);
            }
        }
        return new ParityReport(compared, (double) agreements / compared, maxDifference, count,
                (double) fp32Correct / count, (double) int8Correct / count);
    }

    private static float[] scores(Path model, ModelOptions options, CifarImages images) {
        float[] out = new float[images.size() * CifarShape.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(model, options)) {
            classifier.logProbabilities(images.pixels(), 0, images.size(), out);
        }
        return out;
    }
}

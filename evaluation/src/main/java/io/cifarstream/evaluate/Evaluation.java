package io.cifarstream.evaluate;

import io.cifarstream.schemas.CifarShape;
import java.util.function.IntConsumer;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metrics.ClassificationReport;

/**
 * An offline evaluation of a classifier on labelled images: the metrics report (scikit-learn's definitions, from
 * metrics-core, the same code the streaming metrics use) and every image's log-probabilities, in image order.
 *
 * @param report   the metrics over all images
 * @param logProbs {@code images.size() * 10} natural-log probabilities, image i at {@code i * 10}
 * @param images   the images evaluated (labels and ids come from here)
 */
public record Evaluation(ClassificationReport report, float[] logProbs, CifarImages images) {

    /**
     * Runs the model over all images in batches of {@code model.maxBatch()}, reporting each batch's size to
     * {@code progress}.
     */
    public static Evaluation run(OnnxClassifier model, CifarImages images, IntConsumer progress) {
        int n = images.size();
        int classes = CifarShape.CLASSES;
        float[] logProbs = new float[n * classes];
        float[] batch = new float[model.maxBatch() * classes];
        float[] one = new float[classes];
        ClassificationAccumulator accumulator = new ClassificationAccumulator(classes);
        for (int first = 0; first < n; first += model.maxBatch()) {
            int count = Math.min(model.maxBatch(), n - first);
            model.logProbabilities(images.pixels(), first, count, batch);
            System.arraycopy(batch, 0, logProbs, first * classes, count * classes);
            for (int i = 0; i < count; i++) {
                System.arraycopy(batch, i * classes, one, 0, classes);
                accumulator.add(images.label(first + i), one);
            }
            progress.accept(count);
        }
        return new Evaluation(accumulator.snapshot(), logProbs, images);
    }

    /** The class with the highest log-probability for image i (the first one on ties, like numpy's argmax). */
    public int predicted(int i) {
        int best = 0;
        for (int k = 1; k < CifarShape.CLASSES; k++) {
            if (logProbs[i * CifarShape.CLASSES + k] > logProbs[i * CifarShape.CLASSES + best]) {
                best = k;
            }
        }
        return best;
    }
}

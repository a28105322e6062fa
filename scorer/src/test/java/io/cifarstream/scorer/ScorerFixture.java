package io.cifarstream.scorer;

import io.cifarstream.testkit.ForeignModel;
import io.cifarstream.schemas.CifarShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.schemas.TopicNames;

/**
 * The scorer tests' model and data: the committed foreign model (exported from PyTorch, inputs normalized with
 * mean 0.5 and std 0.5, logits out) and the real CIFAR-10 test split.
 */
final class ScorerFixture {

    static final ModelOptions TORCH_CONVENTIONS = ModelOptions.defaults().withThreads(2)
            .withNormalization(ForeignModel.MEAN, ForeignModel.STD)
            .withOutput(OutputKind.LOGITS);

    private ScorerFixture() {
    }

    /** The foreign model, copied to {@code dir} under {@code fileName}. */
    static Path foreignModel(Path dir, String fileName) {
        return ForeignModel.copyTo(dir, fileName);
    }

    /** A scorer configuration for one test: its own topics and group, quick status lines to the log. */
    static ScorerConfig config(KafkaSettings kafka, TopicNames topics, Path model) {
        return ScorerConfig.of(kafka, List.of(new ModelSpec("foreign", model)), TORCH_CONVENTIONS)
                .withTopics(topics)
                .withGroup("scorers-" + topics.images())
                .withStatus(Duration.ofSeconds(2), line -> System.err.println("  " + line));
    }

    /** What {@code evaluate} computes for the same images: log-probabilities from one offline run. */
    static float[] offlineLogProbabilities(Path model, CifarImages images, int count) {
        float[] out = new float[count * CifarShape.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(model, TORCH_CONVENTIONS, 256)) {
            classifier.logProbabilities(images.pixels(), 0, count, out);
        }
        return out;
    }

    static int argMax(float[] values, int offset) {
        int best = 0;
        for (int k = 1; k < CifarShape.CLASSES; k++) {
            if (values[offset + k] > values[offset + best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * Waits until {@code count} reaches {@code target}, looking every millisecond (a test may have to act within the
     * scorer's 100 ms pause after a failed batch); fails the test after {@code timeout}.
     */
    static void awaitCount(LongSupplier count, long target, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + count.getAsLong() + " of " + target + " after " + timeout);
            }
            Thread.sleep(1);
        }
    }
}

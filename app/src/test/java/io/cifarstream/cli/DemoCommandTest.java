package io.cifarstream.cli;

import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.inference.ReferenceFile;
import java.util.Arrays;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Shift;
import io.cifarstream.evaluate.Evaluation;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.schemas.CifarShape;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.trainer.Precision;
import io.cifarstream.trainer.Recipe;
import io.cifarstream.trainer.Training;
import io.cifarstream.trainer.TrainingConfig;
import io.cifarstream.trainer.TrainingListener;
import picocli.CommandLine;

/**
 * The demo end to end (its own embedded broker, scorer, metrics stream, replay) on a model trained here: the live
 * cumulative metrics equal the offline evaluation of the same model on the same images, with labels inline, with
 * labels arriving late on their own topic, and with a distribution shift half way through the replay.
 */
class DemoCommandTest {
    static final int IMAGES = 600;
    static Cifar10 cifar;
    static Path model;
    static ClassificationReport offline;

    @BeforeAll
    static void trainAndEvaluate(@TempDir Path dir) throws Exception {
        cifar = CifarTestData.cifar10();
        // 500 images held out: the model gets its reference file, so the demo's metrics stream estimates too. Three
        // epochs on 10,000 images (about 50% accurate, in either precision): its int8 model passes the parity check
        // yet decides a few of the images differently. Weaker models fail one or the other: after one epoch on 2,000
        // images the model predicts one class for nearly every image; at 25-43% its int8 model can flip 2-3% of the
        // decisions, more than the check allows.
        TrainingConfig config = new TrainingConfig(Recipe.fast().withEpochs(3), 7, dir.resolve("run"), 500, 10_000,
                false, 2, Precision.fastestHere());
        model = Training.run(config, cifar.location(), TrainingListener.silent()).model();
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults())) {
            offline = Evaluation.run(classifier, cifar.test().first(IMAGES), n -> { }).report();
        }
    }

    static JsonNode demo(Path dir, String... extra) throws Exception {
        Path json = dir.resolve("final.json");
        String[] base = {"--model", model.toString(), "--data", cifar.location().toString(), "--limit",
            String.valueOf(IMAGES), "--http-port", "0", "--work-dir", dir.resolve("work").toString(), "--json",
            json.toString(), "--timeout", "3m"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        assertThat(new CommandLine(new DemoCommand()).execute(args)).isZero();
        return new ObjectMapper().readTree(Files.readString(json));
    }

    static void assertEqualsOffline(JsonNode live) {
        assertEqualsOffline(live, offline);
    }

    static void assertEqualsOffline(JsonNode live, ClassificationReport offline) {
        assertThat(live.get("count").asLong()).isEqualTo(IMAGES);
        long[][] expected = offline.confusion().counts();
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) {
                assertThat(live.get("confusion").get(t).get(p).asLong()).as("confusion[%d][%d]", t, p)
                        .isEqualTo(expected[t][p]);
            }
        }
        assertThat(live.get("accuracy").asDouble()).isEqualTo(offline.accuracy());
        for (int k = 0; k < 10; k++) {
            assertThat(live.get("auc").get(k).asDouble()).as("auc[%d]", k)
                    .isCloseTo(offline.auc().get(k), org.assertj.core.api.Assertions.within(1e-9));
        }
    }

    @Test
    void withLabelsInsideTheEventsTheLiveMetricsEqualTheOfflineEvaluation(@TempDir Path dir) throws Exception {
        assertEqualsOffline(demo(dir));
    }

    /** Also behind a bearer token: the demo's own wait for the count must send it, or it would never see a 200. */
    @Test
    void withLabelsArrivingLateTheFinalCountsAreTheSame(@TempDir Path dir) throws Exception {
        assertEqualsOffline(demo(dir, "--label-delay", "2s", "--http-token", "demo-secret"));
    }

    /**
     * The model as champion and its int8 model as challenger: both score every image, and each one's live metrics equal
     * the offline evaluation of that model on the same images.
     */
    @Test
    void withTheInt8ChallengerEachModelsLiveMetricsEqualItsOfflineEvaluation(@TempDir Path dir) throws Exception {
        Path copy = Files.createDirectories(dir.resolve("run")).resolve("model.onnx");
        Files.copy(model, copy);
        String[] base = {"--model", copy.toString(), "--data", cifar.location().toString(), "--limit",
            String.valueOf(IMAGES), "--http-port", "0", "--work-dir", dir.resolve("work").toString(), "--json",
            dir.resolve("final.json").toString(), "--timeout", "3m", "--challenger", "int8"};
        assertThat(new CommandLine(new DemoCommand()).execute(base)).isZero();
        Path int8 = dir.resolve("run").resolve("model-int8.onnx");
        assertThat(int8).isRegularFile();
        ClassificationReport int8Offline;
        try (OnnxClassifier classifier = OnnxClassifier.load(int8, ModelOptions.defaults())) {
            int8Offline = Evaluation.run(classifier, cifar.test().first(IMAGES), n -> { }).report();
        }
        ObjectMapper json = new ObjectMapper();
        assertEqualsOffline(json.readTree(dir.resolve("final.json").toFile()));
        assertEqualsOffline(json.readTree(dir.resolve("final-int8.json").toFile()), int8Offline);
        assertThat(int8Offline.confusion().counts()).as("the challenger is another model")
                .isNotEqualTo(offline.confusion().counts());

        long made = Files.getLastModifiedTime(int8).toMillis();
        assertThat(new CommandLine(new DemoCommand()).execute(base)).isZero();
        assertThat(Files.getLastModifiedTime(int8).toMillis()).as("made from the same model: reused").isEqualTo(made);
    }

    /**
     * A shift half way, labels arriving late: the live metrics are those of the first half of the images clean and
     * the second half corrupted with the demo's seed, image for image.
     */
    @Test
    void withAShiftHalfWayTheLiveMetricsAreThoseOfTheCleanThenCorruptedImages(@TempDir Path dir) throws Exception {
        CifarImages first = cifar.test().first(IMAGES);
        byte[] replayed = new CorruptedImages(first, Shift.parse("gaussian_noise:5"), 42).all().pixels();
        System.arraycopy(first.pixels(), 0, replayed, 0, IMAGES / 2 * CifarShape.PIXELS);
        ClassificationReport expected;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults())) {
            expected = Evaluation.run(classifier, new CifarImages("test", replayed, first.labels(),
                    first.classNames()), n -> { }).report();
        }
        assertThat(expected.confusion().counts()).as("the shift shows in the predictions")
                .isNotEqualTo(offline.confusion().counts());

        JsonNode live = demo(dir, "--shift", "gaussian_noise:5", "--label-delay", "1s");
        assertEqualsOffline(live, expected);

        // The label-free estimates: the scorer published the model's reference, the metrics stream read it before
        // the first prediction, and its estimates are metrics-core's over the same replayed images.
        Calibration calibration = ReferenceFile.read(ReferenceFile.beside(model)).calibration();
        ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(calibration);
        float[] logProbs = new float[IMAGES * CifarShape.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults())) {
            classifier.logProbabilities(replayed, 0, IMAGES, logProbs);
        }
        for (int i = 0; i < IMAGES; i++) {
            estimates.add(Arrays.copyOfRange(logProbs, i * CifarShape.CLASSES, (i + 1) * CifarShape.CLASSES));
        }
        ConfidenceEstimate expectedEstimates = estimates.snapshot();
        assertThat(live.get("estimate_count").asLong()).isEqualTo(IMAGES);
        assertThat(live.get("temperature").asDouble()).isEqualTo(calibration.temperature());
        assertThat(live.get("estimated_accuracy").asDouble()).isEqualTo(expectedEstimates.estimatedAccuracy());
        assertThat(live.get("estimated_accuracy_ac").asDouble()).isEqualTo(expectedEstimates.estimatedAccuracyAc());
        assertThat(live.get("estimated_accuracy_atc").asDouble()).isEqualTo(expectedEstimates.estimatedAccuracyAtc());
        assertThat(live.get("accuracy_gap").asDouble())
                .isEqualTo(expectedEstimates.estimatedAccuracy() - expected.accuracy());
    }
}

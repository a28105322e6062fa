package io.cifarstream.trainer;

import io.cifarstream.console.Setting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.console.UserError;
import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.metrics.ReferenceSet;
import io.cifarstream.schemas.CifarShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short real training runs on the first few hundred CIFAR-10 training images. */
class TrainerTest {
    /** Small and quick: no augmentation so the loss is comparable batch to batch. */
    private static final Recipe TINY = Recipe.fast().withEpochs(1).withBatchSize(32).withAugmentation(0, false)
            .withLabelSmoothing(0).withSchedule(Recipe.Schedule.CONSTANT, 0).withLearningRate(0.02);

    @TempDir
    Path dir;

    private static TrainingResult train(TrainingConfig config, TrainingListener listener) throws IOException {
        Cifar10 data = RealCifar.data();
        return new Trainer(config, data.train(), data.test(), listener).run();
    }

    private static TrainingConfig config(Recipe recipe, Path out, int images) {
        return new TrainingConfig(recipe, 42, out, 0, images, false, 2, Precision.fastestHere());
    }

    @Test
    void oneEpochOnAFewHundredImagesLowersTheLossAndWritesEveryArtifact() throws IOException {
        Path out = dir.resolve("run");
        TrainingResult result = train(config(TINY.withEpochs(3), out, 384), TrainingListener.silent());

        List<EpochRecord> history = result.history();
        assertThat(history).extracting(EpochRecord::epoch).containsExactly(1, 2, 3);
        assertThat(history.get(2).trainLoss()).isLessThan(history.get(0).trainLoss());
        float[] losses = Checkpoint.load(Checkpoint.fileFor(out.resolve(Trainer.CHECKPOINTS), 1)).batchLosses();
        assertThat(losses).hasSize(12);
        assertThat(mean(losses, 8, 12)).isLessThan(mean(losses, 0, 4));
        assertThat(result.testAccuracy()).isBetween(0.0, 1.0).isEqualTo(history.get(2).testAccuracy());

        JsonNode json = new ObjectMapper().readTree(out.resolve("history.json").toFile());
        assertThat(json).hasSize(3);
        for (String key : List.of("epoch", "elapsed_seconds", "train_loss", "test_accuracy", "images_per_second",
                "lr")) {
            assertThat(json.get(0).has(key)).as(key).isTrue();
        }
        assertThat(json.get(2).get("elapsed_seconds").asDouble()).isGreaterThan(json.get(0).get("elapsed_seconds")
                .asDouble());
        for (String png : List.of("loss.png", "accuracy.png")) {
            byte[] header = Files.readAllBytes(out.resolve(png));
            assertThat(new String(header, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).as(png).isEqualTo("PNG");
        }
        assertThat(out.resolve("model.onnx")).isRegularFile();
        assertThat(out.resolve("checkpoints").resolve("epoch-003.ckpt")).isRegularFile();
        // Nothing held out, nothing to make a reference on.
        assertThat(result.reference()).isEmpty();
        assertThat(out.resolve("model.reference.json")).doesNotExist();
    }

    @Test
    void aRunTrainsOnlyOnImagesItDoesNotHoldOutAndWritesTheExportedModelsReferenceMadeOnThoseItDoes()
            throws IOException {
        Path out = dir.resolve("held-out");
        int[] announced = new int[2];
        TrainingConfig config = new TrainingConfig(TINY, 42, out, 300, 256, false, 2, Precision.fastestHere());
        TrainingResult result = train(config, new TrainingListener() {
            @Override
            public void started(Recipe recipe, long seed, Precision precision, ParameterTable parameters,
                                int trainImages, int heldOut, Path outDir, int nextEpoch) {
                announced[0] = trainImages;
                announced[1] = heldOut;
            }
        });

        assertThat(announced).containsExactly(256, 300);
        Checkpoint saved = Checkpoint.load(Checkpoint.fileFor(out.resolve(Trainer.CHECKPOINTS), 1));
        assertThat(saved.trainImages()).isEqualTo(256);
        assertThat(saved.heldOut()).isEqualTo(300);
        // The normalization was measured on the images trained on, none of them held out.
        CifarImages train = RealCifar.data().train();
        ValidationSplit split = ValidationSplit.of(train.size(), 300);
        Normalization kept = Normalization.measure(split.training(train, 256).pixels(), 256);
        assertThat(saved.normalizationMean()).containsExactly(kept.mean());
        assertThat(saved.normalizationStd()).containsExactly(kept.std());

        Path file = out.resolve("model.reference.json");
        assertThat(result.reference()).contains(file);
        ReferenceFile reference = ReferenceFile.read(file);
        assertThat(reference.modelVersion()).isEqualTo(result.export().version());
        Calibration calibration = reference.calibration();
        assertThat(calibration.referenceCount()).isEqualTo(300);
        assertThat(calibration.imageCount()).isEqualTo(300);
        // Made by ONNX Runtime running the exported file on the held-out images, as the scorer will run it.
        CifarImages validation = split.validation(train);
        float[] logProbs = new float[validation.size() * CifarShape.CLASSES];
        try (OnnxClassifier model = OnnxClassifier.load(result.model(), ModelOptions.defaults())) {
            assertThat(model.version()).isEqualTo(reference.modelVersion());
            model.logProbabilities(validation.pixels(), 0, validation.size(), logProbs);
        }
        ReferenceSet expected = new ReferenceSet(CifarShape.CLASSES);
        float[] stats = new float[ImageStatistics.LENGTH];
        for (int i = 0; i < validation.size(); i++) {
            ImageStatistics.compute(validation.pixels(), i * CifarShape.PIXELS, CifarShape.SIDE, CifarShape.SIDE, stats);
            expected.add(validation.label(i), Arrays.copyOfRange(logProbs, i * 10, i * 10 + 10), stats);
        }
        assertThat(calibration).isEqualTo(expected.calibration());
    }

    private static double mean(float[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    @Test
    void theSameSeedGivesTheSameFirstBatchLossAndAnotherSeedADifferentOne() throws IOException {
        // With augmentation (seeded too); a gentle constant rate, as two steps at the peak blow the logits up.
        Recipe recipe = Recipe.fast().withEpochs(1).withBatchSize(64).withSchedule(Recipe.Schedule.CONSTANT, 0)
                .withLearningRate(0.01);
        float a = firstBatchLoss(config(recipe, dir.resolve("a"), 128));
        float b = firstBatchLoss(config(recipe, dir.resolve("b"), 128));
        float c = firstBatchLoss(config(recipe, dir.resolve("c"), 128).withSeed(43));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
    }

    private static float firstBatchLoss(TrainingConfig config) throws IOException {
        List<Float> losses = new ArrayList<>();
        train(config, new TrainingListener() {
            @Override
            public void batchFinished(int images, float loss, double learningRate) {
                losses.add(loss);
            }
        });
        return losses.get(0);
    }

    @Test
    void anInterruptedRunResumesAtTheNextEpochWithItsStateAndEndsWhereAnUninterruptedRunEnds() throws IOException {
        Recipe recipe = Recipe.fast().withEpochs(3).withBatchSize(64);
        TrainingResult uninterrupted = train(config(recipe, dir.resolve("whole"), 256), TrainingListener.silent());

        Path out = dir.resolve("interrupted");
        assertThatThrownBy(() -> train(config(recipe, out, 256), new TrainingListener() {
            @Override
            public void epochFinished(EpochRecord record, double seconds) {
                if (record.epoch() == 2) {
                    throw new IllegalStateException("interrupted after epoch 2");
                }
            }
        })).hasMessageContaining("interrupted");
        Checkpoint saved = Checkpoint.load(Checkpoint.fileFor(out.resolve(Trainer.CHECKPOINTS), 2));
        assertThat(saved.epoch()).isEqualTo(2);
        assertThat(saved.step()).isEqualTo(2 * 4);
        assertThat(saved.momentum().get(0)).isNotEqualTo(new float[saved.momentum().get(0).length]);

        List<Integer> resumedEpochs = new ArrayList<>();
        List<Double> resumedRates = new ArrayList<>();
        TrainingResult resumed = train(config(recipe, out, 256).withResume(true), new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int images) {
                resumedEpochs.add(epoch);
            }

            @Override
            public void batchFinished(int images, float loss, double learningRate) {
                resumedRates.add(learningRate);
            }
        });

        LearningRateSchedule schedule = LearningRateSchedule.of(recipe, 4);
        assertThat(resumedEpochs).containsExactly(3);
        assertThat(resumedRates).containsExactly(schedule.at(8), schedule.at(9), schedule.at(10), schedule.at(11));
        assertThat(resumed.history()).extracting(EpochRecord::epoch).containsExactly(1, 2, 3);
        // Weights, momentum, schedule and RNG restored: the same final weights as the run that never stopped.
        assertThat(resumed.export().version()).isEqualTo(uninterrupted.export().version());
        Checkpoint lastResumed = Checkpoint.load(Checkpoint.fileFor(out.resolve(Trainer.CHECKPOINTS), 3));
        Checkpoint lastWhole = Checkpoint.load(Checkpoint.fileFor(dir.resolve("whole").resolve(Trainer.CHECKPOINTS),
                3));
        for (int i = 0; i < lastWhole.momentum().size(); i++) {
            assertThat(lastResumed.momentum().get(i)).containsExactly(lastWhole.momentum().get(i));
        }
        assertThat(lastResumed.rngState()).isEqualTo(lastWhole.rngState());
    }

    @Test
    void refusesToOverwriteARunAndToResumeWhereThereIsNothing() throws IOException {
        Path out = dir.resolve("run");
        train(config(TINY, out, 64), TrainingListener.silent());
        assertThatThrownBy(() -> train(config(TINY, out, 64), TrainingListener.silent()))
                .isInstanceOf(UserError.class).hasMessageContaining("already holds a run").hasMessageContaining("resume it")
                .extracting(e -> ((UserError) e).setting()).isEqualTo(Setting.OUTPUT);
        assertThatThrownBy(() -> train(config(TINY, dir.resolve("empty"), 64).withResume(true),
                TrainingListener.silent())).isInstanceOf(UserError.class).hasMessageContaining("nothing to resume")
                .extracting(e -> ((UserError) e).setting()).isEqualTo(Setting.RESUME);
    }
}

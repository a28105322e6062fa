package io.cifarstream.inference;

import io.cifarstream.testkit.ForeignModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.testkit.CifarTestData;

/**
 * A model exported from PyTorch the way its users do (normalized input, logits out) runs here with the right
 * flags and gives the log-probabilities PyTorch itself computed (fixture made by src/test/python/make_foreign_model.py).
 */
class OnnxClassifierTest {
    static final int IMAGES = 16;
    static Path foreignModel;
    static CifarImages first16;
    static float[][] torchLogProbs;

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        foreignModel = ForeignModel.copyTo(dir, "foreign_cnn.onnx");
        first16 = CifarTestData.testSplit().first(IMAGES);
        {
            JsonNode json = new ObjectMapper().readTree(ForeignModel.read("foreign_cnn_expected.json"));
            torchLogProbs = new float[IMAGES][10];
            for (int i = 0; i < IMAGES; i++) {
                assertThat(json.get("labels").get(i).asInt()).as("fixture label %d", i).isEqualTo(first16.label(i));
                for (int k = 0; k < 10; k++) {
                    torchLogProbs[i][k] = (float) json.get("log_probs").get(i).get(k).asDouble();
                }
            }
        }
    }

    static float[] score(ModelOptions options, int maxBatch) {
        float[] out = new float[IMAGES * 10];
        try (OnnxClassifier model = OnnxClassifier.load(foreignModel, options, maxBatch)) {
            model.logProbabilities(first16.pixels(), 0, IMAGES, out);
        }
        return out;
    }

    static final ModelOptions TORCH_CONVENTIONS = ModelOptions.defaults()
            .withNormalization(ForeignModel.MEAN, ForeignModel.STD)
            .withOutput(OutputKind.LOGITS);

    @Test
    void aForeignModelWithItsNormalizationFlagsGivesPyTorchsLogProbabilities() {
        float[] out = score(TORCH_CONVENTIONS, 256);
        for (int i = 0; i < IMAGES; i++) {
            for (int k = 0; k < 10; k++) {
                assertThat(out[i * 10 + k]).as("image %d class %d", i, k).isCloseTo(torchLogProbs[i][k], within(1e-4f));
            }
        }
    }

    @Test
    void withoutTheFlagsTheSameModelGivesOtherNumbersSoTheFlagsMatter() {
        float[] out = score(ModelOptions.defaults(), 256);
        double maxDifference = 0;
        for (int i = 0; i < IMAGES * 10; i++) {
            maxDifference = Math.max(maxDifference, Math.abs(out[i] - torchLogProbs[i / 10][i % 10]));
        }
        assertThat(maxDifference).isGreaterThan(1e-3);
    }

    @Test
    void batchesLargerThanMaxBatchAreSplitWithIdenticalResults() {
        assertThat(score(TORCH_CONVENTIONS, 5)).containsExactly(score(TORCH_CONVENTIONS, 256));
    }

    @Test
    void lanesScoreChunksOfABatchAtOnceWithTheNumbersOfOneLane() {
        CifarImages images = CifarTestData.testSplit().first(100);
        float[] oneLane = new float[100 * 10];
        float[] threeLanes = new float[100 * 10];
        try (OnnxClassifier one = OnnxClassifier.load(foreignModel, TORCH_CONVENTIONS.withThreads(1), 256);
                OnnxClassifier three = OnnxClassifier.load(foreignModel, TORCH_CONVENTIONS.withThreads(3), 256)) {
            assertThat(one.lanes()).isEqualTo(1);
            assertThat(three.lanes()).isEqualTo(3);
            one.logProbabilities(images.pixels(), 0, 100, oneLane);
            // 100 images on 3 lanes: chunks of 17, 14, 12, ... down to 1, each taken by whichever lane is free.
            three.logProbabilities(images.pixels(), 0, 100, threeLanes);
            assertThat(threeLanes).containsExactly(oneLane, within(1e-6f));
            // And from an odd offset into the pixels.
            float[] tail = new float[37 * 10];
            three.logProbabilities(images.pixels(), 63, 37, tail);
            assertThat(tail).containsExactly(java.util.Arrays.copyOfRange(oneLane, 630, 1000), within(1e-6f));
        }
    }

    @Test
    void aBegunScoringRunsOnTheOtherLanesWhileTheCallerWorksAndFinishesWithTheNumbersOfOneCall()
            throws InterruptedException {
        CifarImages images = CifarTestData.testSplit().first(100);
        float[] whole = new float[100 * 10];
        float[] begun = new float[100 * 10];
        try (OnnxClassifier model = OnnxClassifier.load(foreignModel, TORCH_CONVENTIONS.withThreads(2), 256)) {
            model.logProbabilities(images.pixels(), 0, 100, whole);
            OnnxClassifier.Scoring scoring = model.begin(images.pixels(), 0, 100, begun, 0);
            // The second lane takes chunks without waiting for the caller: half of what is left, then less.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (begun[0] == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1); // a call the JIT cannot see through: begun[0] is read again each time
            }
            assertThat(begun[0]).as("the first chunk, scored before the caller joins").isNotZero();
            assertThatThrownBy(() -> model.logProbabilities(images.pixels(), 0, 1, new float[10]))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not finished");
            scoring.finish();
            assertThat(begun).containsExactly(whole, within(1e-6f));
            assertThatThrownBy(scoring::finish).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("finished already");
            // The classifier takes work again once it is finished.
            float[] again = new float[100 * 10];
            model.logProbabilities(images.pixels(), 0, 100, again);
            assertThat(again).containsExactly(whole, within(1e-6f));
        }
    }

    @Test
    void outputKindsAllBecomeLogProbabilitiesThatSumToOne() {
        float[] out = score(TORCH_CONVENTIONS, 256);
        for (int i = 0; i < IMAGES; i++) {
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                sum += Math.exp(out[i * 10 + k]);
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
        float[] probs = {0.5f, 0.25f, 0.25f, 0, 0, 0, 0, 0, 0, 0};
        OutputKind.PROBS.toLogProbabilities(probs, 0, 10);
        assertThat(probs[0]).isCloseTo((float) Math.log(0.5), within(1e-7f));
        assertThat(probs[3]).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void theVersionOfAModelWithoutMetadataIsItsContentHash() {
        try (OnnxClassifier model = OnnxClassifier.load(foreignModel, ModelOptions.defaults())) {
            assertThat(model.version()).hasSize(16).matches("[0-9a-f]+");
            assertThat(model.classNames()).hasSize(10);
            assertThat(model.metadata().takesRawPixels()).isFalse();
        }
    }

    @Test
    void aMissingFileIsAUserErrorThatSaysHowToGetAModel(@TempDir Path dir) {
        assertThatThrownBy(() -> OnnxClassifier.load(dir.resolve("nope.onnx"), ModelOptions.defaults()))
                .isInstanceOf(ModelUnusableException.class).hasMessageContaining("no model file at").hasMessageContaining("train");
    }

    @Test
    void aFileThatIsNotOnnxIsAUserError(@TempDir Path dir) throws IOException {
        Path bogus = Files.writeString(dir.resolve("model.onnx"), "this is not a model");
        assertThatThrownBy(() -> OnnxClassifier.load(bogus, ModelOptions.defaults()))
                .isInstanceOf(ModelUnusableException.class).hasMessageContaining("is not a model ONNX Runtime can run");
    }

    @Test
    void aModelForOtherImagesIsRefusedWithTheShapeItHas(@TempDir Path dir) throws IOException {
        Path mnist = ForeignModel.copy("mnist_shaped.onnx", dir.resolve("mnist_shaped.onnx"));
        assertThatThrownBy(() -> OnnxClassifier.load(mnist, ModelOptions.defaults()))
                .isInstanceOf(ModelUnusableException.class)
                .hasMessageContaining("input has shape [-1, 1, 28, 28]")
                .hasMessageContaining("[N, 3, 32, 32]");
    }

    @Test
    void cudaOnACpuBuildFailsAtStartAndNeverFallsBackToCpuSilently() {
        assertThatThrownBy(() -> OnnxClassifier.load(foreignModel, ModelOptions.defaults().withDevice("cuda:0")))
                .isInstanceOf(ModelUnusableException.class).hasMessageContaining("CUDA").hasMessageContaining("run on the CPU");
        assertThatThrownBy(() -> OnnxClassifier.load(foreignModel, ModelOptions.defaults().withDevice("tpu")))
                .isInstanceOf(ModelUnusableException.class).hasMessageContaining("use cpu, cuda or cuda:N");
    }

    @Test
    void outputKindParsesTheCommandLineSpellings() {
        assertThat(List.of("logits", "log-probs", "log_probs", "probs").stream().map(OutputKind::parse))
                .containsExactly(OutputKind.LOGITS, OutputKind.LOG_PROBS, OutputKind.LOG_PROBS, OutputKind.PROBS);
        assertThatThrownBy(() -> OutputKind.parse("softmax")).hasMessageContaining("use logits, log-probs or probs");
    }
}

package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.cifarstream.dataset.Cifar10;
import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.testkit.OnnxChecker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported model of a short real run: parity with DJL, metadata, dynamic batch, a valid ONNX file. */
class ModelExportTest {
    @TempDir
    static Path dir;
    static TrainingResult run;

    @BeforeAll
    static void trainBriefly() throws IOException {
        Cifar10 data = RealCifar.data();
        // A gentle constant rate: a few steps at the fast recipe's peak can blow the logits up on 512 images.
        Recipe recipe = Recipe.fast().withEpochs(1).withBatchSize(32)
                .withSchedule(Recipe.Schedule.CONSTANT, 0).withLearningRate(0.01);
        run = new Trainer(new TrainingConfig(recipe, 42, dir.resolve("run"), 0, 512, false, 2,
                Precision.fastestHere()), data.train(),
                data.test(), TrainingListener.silent()).run();
    }

    @Test
    void onnxRuntimeAgreesWithDjlWithinOneTenThousandthOnAThousandTestImages() {
        assertThat(run.export().parityImages()).isEqualTo(1000);
        assertThat(run.export().maxLogProbDifference()).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void carriesTheMetadataEveryReaderExpects() {
        Cifar10 data = RealCifar.data();
        try (OnnxClassifier classifier = OnnxClassifier.load(run.model(), ModelOptions.defaults())) {
            ModelMetadata metadata = classifier.metadata();
            assertThat(metadata.takesRawPixels()).isTrue();
            assertThat(metadata.get(ModelMetadata.OUTPUT)).contains("log_probs");
            assertThat(metadata.get(ModelMetadata.CLASSES)).contains(String.join(",", data.classNames()));
            assertThat(metadata.get(ModelMetadata.RECIPE)).contains("fast");
            assertThat(metadata.get(ModelMetadata.EPOCHS)).contains("1");
            assertThat(Double.parseDouble(metadata.get(ModelMetadata.TEST_ACCURACY).orElseThrow()))
                    .isCloseTo(run.testAccuracy(), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(metadata.get(ModelMetadata.VERSION)).contains(run.export().version());
            assertThat(run.export().version()).matches("[0-9a-f]{16}");
        }
    }

    @Test
    void takesRawPixelsWithADynamicBatchAndGivesTheSameAnswerPerImageAtAnyBatchSize() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(run.model().toString(), new OrtSession.SessionOptions())) {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            assertThat(inputs).containsOnlyKeys("pixels");
            assertThat(((TensorInfo) inputs.get("pixels").getInfo()).getShape()).containsExactly(-1, 3, 32, 32);
            assertThat(((TensorInfo) session.getOutputInfo().get("log_probs").getInfo()).getShape())
                    .containsExactly(-1, 10);
            assertThat(session.getMetadata().getProducerName()).isEqualTo(ModelExport.PRODUCER);
        }
        byte[] pixels = RealCifar.data().test().pixels();
        try (OnnxClassifier classifier = OnnxClassifier.load(run.model(), ModelOptions.defaults())) {
            float[] alone = new float[10];
            float[] inBatch = new float[70];
            classifier.logProbabilities(pixels, 3, 1, alone);
            classifier.logProbabilities(pixels, 0, 7, inBatch);
            for (int k = 0; k < 10; k++) {
                assertThat(alone[k]).isCloseTo(inBatch[30 + k], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void passesTheOnnxCheckerOfTheOnnxPythonPackage() throws IOException, InterruptedException {
        OnnxChecker.Verdict verdict = OnnxChecker.check(run.model());
        assertThat(verdict.exitStatus()).as(verdict.output()).isZero();
        assertThat(verdict.output()).startsWith("13 ").contains("cifarstream.version", "cifarstream.classes");
    }

    @Test
    void theVersionIsAHashOfTheWeights() {
        float[] a = {1f, 2f};
        assertThat(ModelExport.weightsVersion(List.of(a))).isEqualTo(ModelExport.weightsVersion(List.of(a.clone())))
                .isNotEqualTo(ModelExport.weightsVersion(List.of(new float[] {1f, 2.0000002f})));
    }
}

package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.OperatorSetIdProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;
import io.cifarstream.testkit.OnnxChecker;

/**
 * The PyTorch model of the fixture (torch.onnx.export, normalized input, logits out), quantized with the default
 * settings on the real CIFAR-10: a valid graph that ONNX Runtime runs as int8 kernels, deciding like the fp32 model,
 * and reading the images' bytes, with the normalization the fp32 model needed flags for folded into its first Conv.
 */
class ForeignModelQuantizationTest {
    static final ModelOptions TORCH_CONVENTIONS = ModelOptions.defaults()
            .withNormalization(ForeignModel.MEAN, ForeignModel.STD).withOutput(OutputKind.LOGITS);

    @TempDir
    static Path dir;
    static Cifar10 data;
    static Path fp32;
    static QuantizationResult result;

    @BeforeAll
    static void quantize() throws IOException {
        data = CifarTestData.cifar10();
        fp32 = ForeignModel.copyTo(dir, "foreign.onnx");
        result = Quantizer.quantize(fp32, TORCH_CONVENTIONS, data.train(), data.test(), QuantizationConfig.defaults(),
                Quantizer.besideFp32(fp32));
        System.out.printf("ForeignModelQuantizationTest: %s%n", result);
    }

    @Test
    void writesTheInt8ModelBesideTheFp32OneAndQuantizesEveryConvAndGemm() {
        assertThat(result.model()).isEqualTo(dir.resolve("foreign-int8.onnx")).isRegularFile();
        assertThat(result.int8Nodes()).isEqualTo(6);
        assertThat(result.computeNodes()).isEqualTo(6);
        assertThat(result.calibrationImages()).isEqualTo(1000);
    }

    @Test
    void decidesLikeTheFp32ModelOnAThousandTestImagesAndKeepsItsAccuracyOnAllTenThousand() {
        ParityReport parity = result.parity();
        assertThat(parity.parityImages()).isEqualTo(1000);
        assertThat(parity.agreement()).isGreaterThanOrEqualTo(0.985);
        assertThat(parity.maxLogProbDifference()).isFinite().isPositive();
        assertThat(parity.testImages()).isEqualTo(10_000);
        assertThat(parity.int8Accuracy()).isCloseTo(parity.fp32Accuracy(), within(0.003));
    }

    @Test
    void passesTheOnnxCheckerOfTheOnnxPythonPackage() throws IOException, InterruptedException {
        OnnxChecker.Verdict verdict = OnnxChecker.check(result.model());
        assertThat(verdict.exitStatus()).as(verdict.output()).isZero();
        assertThat(verdict.output()).startsWith("13 ").contains("cifarstream.quantization", "cifarstream.input")
                .doesNotContain("cifarstream.input_mean");
    }

    @Test
    void onnxRuntimeRunsEveryConvAndGemmAsAnInt8KernelAndNoneInFloat() throws IOException {
        Path optimized = dir.resolve("foreign-int8-optimized.onnx");
        OnnxClassifier.writeOptimizedGraph(result.model(), ModelOptions.defaults(), optimized);
        List<String> ops = new GraphIndex(OnnxModels.read(optimized).getGraph()).opTypes();
        assertThat(ops).as("float Conv/Gemm kernels in %s", ops)
                .noneMatch(op -> Stream.of("Conv", "Gemm", "MatMul").anyMatch(op::endsWith) && !op.contains("QLinear")
                        && !op.endsWith("QGemm"));
        assertThat(ops.stream().filter(op -> op.endsWith("QLinearConv"))).hasSize(3);
        assertThat(ops.stream().filter(op -> op.endsWith("QGemm"))).hasSize(3);
        assertThat(ops).as("no float MaxPool between the int8 convolutions").noneMatch(op -> op.equals("MaxPool"));
    }

    @Test
    void readsTheImageBytesAndDeclaresItSoItScoresTheSameWithoutFlags() throws IOException {
        CifarImages images = data.test().first(64);
        float[] withFlags = new float[64 * 10];
        float[] without = new float[64 * 10];
        try (OnnxClassifier flagged = OnnxClassifier.load(result.model(), TORCH_CONVENTIONS);
                OnnxClassifier bare = OnnxClassifier.load(result.model(), ModelOptions.defaults())) {
            flagged.logProbabilities(images.pixels(), 0, 64, withFlags);
            bare.logProbabilities(images.pixels(), 0, 64, without);
            ModelMetadata metadata = bare.metadata();
            assertThat(metadata.get(ModelMetadata.INPUT)).contains(ModelMetadata.INPUT_PIXELS_0_255);
            assertThat(metadata.get(ModelMetadata.INPUT_MEAN)).isEmpty();
            assertThat(metadata.get(ModelMetadata.INPUT_STD)).isEmpty();
            assertThat(metadata.output()).contains(OutputKind.LOGITS);
            assertThat(metadata.get(ModelMetadata.QUANTIZATION).orElseThrow())
                    .contains("6 of 6", "input the images' bytes (zero point ");
            assertThat(bare.version()).isEqualTo(result.version()).hasSize(16);
        }
        assertThat(without).containsExactly(withFlags);
        assertThat(OnnxModels.read(result.model()).getGraph().getInput(0).getType().getTensorType().getElemType())
                .as("the torchvision normalization is in the first Conv: the model reads the image's bytes")
                .isEqualTo(TensorProto.DataType.UINT8_VALUE);
        try (OnnxClassifier original = OnnxClassifier.load(fp32, TORCH_CONVENTIONS)) {
            assertThat(OnnxModels.metadata(OnnxModels.read(result.model())))
                    .containsEntry(ModelMetadata.SOURCE_VERSION, original.version());
        }
    }

    @Test
    void readsOnlyThePixelsThatReachItsOutputAndScoresExactlyAsIfItReadThemAll() throws IOException {
        assertThat(OnnxModels.metadata(OnnxModels.read(result.model())).get(ModelMetadata.QUANTIZATION))
                .contains("reading the 30x30 pixels that reach its output");
        ModelProto int8 = OnnxModels.read(result.model());
        GraphIndex graph = new GraphIndex(int8.getGraph());
        NodeProto slice = graph.consumers("input").get(0);
        assertThat(slice.getOpType()).isEqualTo("Slice");
        // The same int8 model reading the whole image: the Slice's readers read the input itself.
        GraphProto.Builder whole = int8.getGraph().toBuilder().clearNode();
        for (NodeProto node : int8.getGraph().getNodeList()) {
            if (node != slice) {
                NodeProto.Builder b = node.toBuilder();
                for (int i = 0; i < node.getInputCount(); i++) {
                    if (node.getInput(i).equals(slice.getOutput(0))) {
                        b.setInput(i, "input");
                    }
                }
                whole.addNode(b);
            }
        }
        Path uncropped = dir.resolve("foreign-int8-whole-image.onnx");
        OnnxModels.write(int8.toBuilder().setGraph(whole).build(), uncropped);
        // Integer kernels: the same numbers, bit for bit.
        SameScores.assertSameScores(uncropped, ModelOptions.defaults(), result.model(), ModelOptions.defaults(), 0f);
    }

    @Test
    void scoresTheSameNumbersPerImageWhateverTheBatchAndLanes() {
        CifarImages images = data.test().first(100);
        float[] oneLane = new float[100 * 10];
        float[] threeLanes = new float[100 * 10];
        float[] alone = new float[10];
        try (OnnxClassifier one = OnnxClassifier.load(result.model(), ModelOptions.defaults().withThreads(1));
                OnnxClassifier three = OnnxClassifier.load(result.model(), ModelOptions.defaults().withThreads(3))) {
            one.logProbabilities(images.pixels(), 0, 100, oneLane);
            three.logProbabilities(images.pixels(), 0, 100, threeLanes);
            one.logProbabilities(images.pixels(), 42, 1, alone);
        }
        assertThat(threeLanes).containsExactly(oneLane, within(1e-6f));
        assertThat(alone).containsExactly(java.util.Arrays.copyOfRange(oneLane, 420, 430), within(1e-6f));
    }

    @Test
    void failsNamingTheAgreementWhenTheCheckIsMissedAndLeavesNoFile() throws IOException {
        assertThat(result.parity().agreement()).as("the strictest bound is missed only below 100%").isLessThan(1.0);
        Path target = dir.resolve("strict").resolve("foreign-int8.onnx");
        assertThatThrownBy(() -> Quantizer.quantize(fp32, TORCH_CONVENTIONS, data.train(), data.test(),
                QuantizationConfig.defaults().withMinAgreement(1.0).withCalibrationImages(100), target))
                .isInstanceOf(QuantizationParityException.class)
                .hasMessageContaining("of 1000 test images (at least 100.0% needed")
                .hasMessageContaining("no int8 model was written");
        try (Stream<Path> left = Files.list(target.getParent())) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void refusesModelsItCannotQuantizeSayingWhy() throws IOException {
        ModelProto model = OnnxModels.read(fp32);
        Path old = dir.resolve("opset11.onnx");
        OnnxModels.write(model.toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).build(), old);
        assertThatThrownBy(() -> Quantizer.quantize(old, TORCH_CONVENTIONS, data.train(), data.test(),
                QuantizationConfig.defaults(), dir.resolve("x.onnx")))
                .isInstanceOf(ModelNotQuantizableException.class).hasMessageContaining("opset 11");
        assertThatThrownBy(() -> Quantizer.quantize(result.model(), ModelOptions.defaults(), data.train(),
                data.test(), QuantizationConfig.defaults(), dir.resolve("y.onnx")))
                .isInstanceOf(ModelNotQuantizableException.class).hasMessageContaining("takes UINT8 input");
    }
}

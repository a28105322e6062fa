package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;
import io.cifarstream.testkit.OnnxChecker;
import picocli.CommandLine;

/**
 * The int8 commands on real data: {@code quantize} a PyTorch model, then {@code evaluate} the int8 model without the
 * convention flags its fp32 model needed; {@code train --export int8} writes both models of a short run.
 */
class Int8CommandsTest {
    static String data() {
        return CifarTestData.cifar10().location().toString();
    }

    @Test
    void aQuantizedForeignModelEvaluatesWithoutConventionFlagsLikeItsFp32Model(@TempDir Path dir) throws IOException {
        Path model = ForeignModel.copyTo(dir, "theirs.onnx");
        String[] conventions = {"--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits"};
        assertThat(Main.commandLine().execute(concat(new String[] {"quantize", "--model", model.toString(),
            "--data", data(), "--calibration-images", "200", "--json", dir.resolve("quantize.json").toString()},
            conventions))).isZero();
        Path int8 = dir.resolve("theirs-int8.onnx");
        assertThat(int8).isRegularFile();
        ObjectMapper json = new ObjectMapper();
        var made = json.readTree(dir.resolve("quantize.json").toFile());
        assertThat(made.get("int8_model").asText()).isEqualTo(int8.toAbsolutePath().toString());
        assertThat(made.get("calibration_images").asInt()).isEqualTo(200);
        assertThat(made.get("parity_images").asInt()).isEqualTo(1000);
        assertThat(made.get("argmax_agreement").asDouble()).isGreaterThanOrEqualTo(0.985);
        assertThat(made.get("test_images").asInt()).isEqualTo(10_000);
        assertThat(made.get("accuracy_difference_points").asDouble()).isCloseTo(
                100 * (made.get("int8_accuracy").asDouble() - made.get("fp32_accuracy").asDouble()), within(1e-9));

        assertThat(Main.commandLine().execute(concat(new String[] {"evaluate", "--model", model.toString(),
            "--data", data(), "--limit", "1000", "--json", dir.resolve("fp32.json").toString()}, conventions))).isZero();
        assertThat(Main.commandLine().execute("evaluate", "--model", int8.toString(), "--data", data(), "--limit",
                "1000", "--json", dir.resolve("int8.json").toString())).isZero();
        double fp32Accuracy = json.readTree(dir.resolve("fp32.json").toFile()).get("accuracy").asDouble();
        double int8Accuracy = json.readTree(dir.resolve("int8.json").toFile()).get("accuracy").asDouble();
        assertThat(int8Accuracy).isCloseTo(fp32Accuracy, within(0.015));
    }

    @Test
    void trainWithInt8ExportWritesBothModelsAndTheInt8KeepsTheAccuracy(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path out = dir.resolve("run");
        // Two epochs of the fast recipe on the first 10,000 training images (no held-out split: that would train it
        // on others), about 42% accurate: int8 keeps 99.2% of its decisions. A weaker model (one epoch on 2,000
        // images, about 26%) has decisions so close together that int8 flips 1.5-2% of them, and the export refuses.
        int exit = Main.commandLine().execute("train", "--data", data(), "--out", out.toString(), "--epochs", "2",
                "--train-limit", "10000", "--holdout", "0", "--export", "int8");
        assertThat(exit).isZero();
        Map<String, String> fp32 = OnnxModels.metadata(OnnxModels.read(out.resolve("model.onnx")));
        Map<String, String> int8 = OnnxModels.metadata(OnnxModels.read(out.resolve("model-int8.onnx")));
        assertThat(int8).containsEntry(ModelMetadata.INPUT, "pixels_0_255").containsEntry(ModelMetadata.OUTPUT, "log_probs")
                .containsEntry(ModelMetadata.RECIPE, "fast").containsEntry(ModelMetadata.CLASSES, fp32.get(ModelMetadata.CLASSES))
                .containsEntry(ModelMetadata.SOURCE_VERSION, fp32.get(ModelMetadata.VERSION));
        assertThat(int8.get(ModelMetadata.QUANTIZATION)).contains("6 of 6 Conv/Gemm", "percentile on 1000 training images");
        assertThat(Double.parseDouble(int8.get(ModelMetadata.TEST_ACCURACY)))
                .as("int8 accuracy on the 10,000 test images")
                .isCloseTo(Double.parseDouble(fp32.get(ModelMetadata.TEST_ACCURACY)), within(0.003));

        OnnxChecker.Verdict verdict = OnnxChecker.check(out.resolve("model-int8.onnx"));
        assertThat(verdict.exitStatus()).as(verdict.output()).isZero();
        // The graph ONNX Runtime runs: every convolution and dense layer an int8 kernel, none left in float32.
        Path optimized = dir.resolve("model-int8-optimized.onnx");
        OnnxClassifier.writeOptimizedGraph(out.resolve("model-int8.onnx"), ModelOptions.defaults(), optimized);
        List<String> ops = new GraphIndex(OnnxModels.read(optimized).getGraph()).opTypes();
        assertThat(ops).as("float Conv/Gemm/MatMul kernels in %s", ops).noneMatch(op ->
                Stream.of("Conv", "Gemm", "MatMul").anyMatch(op::endsWith) && !op.endsWith("QLinearConv")
                        && !op.endsWith("QGemm"));
        assertThat(ops.stream().filter(op -> op.endsWith("QLinearConv"))).hasSize(3);
        assertThat(ops.stream().filter(op -> op.endsWith("QGemm"))).hasSize(3);
    }

    @Test
    void calibrationFlagsWithoutTheInt8ExportAreRefused(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err, true)).execute("train", "--out",
                dir.resolve("run").toString(), "--calibration", "entropy");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("belong to the int8 export; add --export int8");
    }

    @Test
    void theDemoNamesAnInt8ModelAfterItsRun() {
        assertThat(DemoCommand.modelId(Path.of("runs", "fast8", "model-int8.onnx"))).isEqualTo("fast8-int8");
        assertThat(DemoCommand.modelId(Path.of("runs", "fast8", "model.onnx"))).isEqualTo("fast8");
        assertThat(DemoCommand.modelId(Path.of("theirs-int8.onnx"))).isEqualTo("theirs-int8");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

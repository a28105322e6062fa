package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.inference.InputConvention;
import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.testkit.ForeignModel;

/**
 * The input normalization folded into the first Conv, on the PyTorch export of the seed CNN (mean 0.5, std 0.5 fed
 * from outside) and on the same network normalizing inside its graph (Mul, Add, as cifar-stream's exports do), scored
 * on real test images against the model as it was.
 */
class PixelInputTest {
    /** torchvision's Normalize(0.5, 0.5) of raw pixels: x / 127.5 - 1. */
    private static final float SCALE = 1f / (255f * 0.5f);
    private static final float SHIFT = -1f;

    @Test
    void theTorchvisionNormalizationMovesIntoTheFirstConvWhichThenReadsPixelsMinusTheZeroPoint(@TempDir Path dir)
            throws IOException {
        Path fp32 = ForeignModel.copyTo(dir, "foreign.onnx");
        ModelProto original = OnnxModels.read(fp32);
        InputConvention torch = InputConvention.normalized(ForeignModel.MEAN, ForeignModel.STD);
        ModelProto folded = PixelInput.fold(original, "input", torch, 119).orElseThrow();

        GraphIndex before = new GraphIndex(original.getGraph());
        GraphIndex after = new GraphIndex(folded.getGraph());
        NodeProto conv1 = after.consumers("input").get(0);
        assertThat(conv1.getOpType()).isEqualTo("Conv");
        float[] w = Tensors.toFloats(before.initializer(conv1.getInput(1)).orElseThrow());
        float[] scaled = Tensors.toFloats(after.initializer(conv1.getInput(1)).orElseThrow());
        for (int i = 0; i < w.length; i++) {
            assertThat(scaled[i]).isEqualTo(w[i] * SCALE);
        }
        assertThat(after.opTypes()).isEqualTo(before.opTypes());

        assertScoresAsTheOriginal(dir, fp32, ForeignModelQuantizationTest.TORCH_CONVENTIONS, folded,
                PixelInput.calibrationConvention(119));
    }

    @Test
    void aMulAndAnAddOfPerChannelConstantsBeforeTheFirstConvFoldToo(@TempDir Path dir) throws IOException {
        Path fp32 = ForeignModel.copyTo(dir, "foreign.onnx");
        Path normalizing = dir.resolve("normalizing.onnx");
        ModelProto inGraph = normalizingInGraph(OnnxModels.read(fp32));
        OnnxModels.write(OnnxModels.withMetadata(inGraph, rawPixels()), normalizing);

        ModelProto folded = PixelInput.fold(inGraph, "input", InputConvention.rawPixels(), 0).orElseThrow();
        assertThat(new GraphIndex(folded.getGraph()).opTypes()).doesNotContain("Mul", "Add");
        assertThat(folded.getGraph().getInitializerList()).noneMatch(t -> t.getName().startsWith("normalize_"));

        assertScoresAsTheOriginal(dir, normalizing, ModelOptions.defaults(), folded, InputConvention.rawPixels());
    }

    @Test
    void aFirstConvThatPadsIsNotFoldedForItsBorderZerosWouldStandForOtherPixels(@TempDir Path dir) throws IOException {
        ModelProto padding = PaddedFixture.firstConvPadding(dir);
        assertThat(PixelInput.fold(padding, "input",
                InputConvention.normalized(ForeignModel.MEAN, ForeignModel.STD), 120)).isEmpty();
    }

    /** The folded model, fed as {@code fed} says, scores the test images as the original does. */
    private static void assertScoresAsTheOriginal(Path dir, Path original, ModelOptions originalOptions,
            ModelProto folded, InputConvention fed) throws IOException {
        Path written = dir.resolve("folded.onnx");
        OnnxModels.write(OnnxModels.withMetadata(folded, fed.metadata()), written);
        SameScores.assertSameScores(original, originalOptions, written, ModelOptions.defaults(), 1e-4f);
    }

    private static Map<String, String> rawPixels() {
        return Map.of(ModelMetadata.INPUT, ModelMetadata.INPUT_PIXELS_0_255);
    }

    /** The network with the normalization as its first two nodes, reading raw pixel values. */
    private static ModelProto normalizingInGraph(ModelProto model) {
        GraphProto graph = model.getGraph();
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(Nodes.node("Mul", "normalize_mul", List.of("input", "normalize_scale"), List.of("scaled")));
        nodes.add(Nodes.node("Add", "normalize_add", List.of("normalize_shift", "scaled"), List.of("normalized")));
        for (NodeProto node : graph.getNodeList()) {
            NodeProto.Builder b = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                if (node.getInput(i).equals("input")) {
                    b.setInput(i, "normalized");
                }
            }
            nodes.add(b.build());
        }
        TensorProto scale = Tensors.floats("normalize_scale", new long[] {1, 3, 1, 1}, new float[] {SCALE, SCALE, SCALE});
        TensorProto shift = Tensors.floats("normalize_shift", new long[] {3, 1, 1}, new float[] {SHIFT, SHIFT, SHIFT});
        return model.toBuilder().setGraph(graph.toBuilder().clearNode().addAllNode(nodes).addInitializer(scale)
                .addInitializer(shift)).build();
    }
}

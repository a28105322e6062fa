package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.testkit.ForeignModel;

/**
 * The pixels that reach the output of the seed CNN (PyTorch export: 3x3 Convs without padding, 2x2 max-pools, then
 * Flatten), and the model reading only those, scored on real test images against the model reading them all.
 */
class InputCropTest {

    @Test
    void theLastTwoRowsAndColumnsOfTheImageReachNoOutputOfTheCifarCnn(@TempDir Path dir) throws IOException {
        Path original = ForeignModel.copyTo(dir, "foreign.onnx");
        ModelProto model = OnnxModels.read(original);
        // 32 -conv-> 30 -pool-> 15 -conv-> 13 -pool-> 6 (row 12 unread) -conv-> 4 -pool-> 2: 2 needs 4 needs 6 needs
        // 12 needs 14 needs 28 needs 30.
        InputCrop crop = InputCrop.of(model, "input");
        assertThat(crop.crops()).isTrue();
        assertThat(crop.rows()).isEqualTo(30);
        assertThat(crop.columns()).isEqualTo(30);

        ModelProto cropped = crop.apply();
        GraphIndex graph = new GraphIndex(cropped.getGraph());
        NodeProto slice = graph.consumers("input").get(0);
        assertThat(graph.consumers("input")).hasSize(1);
        assertThat(slice.getOpType()).isEqualTo("Slice");
        assertThat(Tensors.toLongs(graph.initializer(slice.getInput(2)).orElseThrow())).containsExactly(30, 30);
        assertThat(Tensors.toLongs(graph.initializer(slice.getInput(3)).orElseThrow())).containsExactly(2, 3);

        SameScores.assertSameScores(original, ForeignModelQuantizationTest.TORCH_CONVENTIONS, cropped,
                dir.resolve("cropped.onnx"), 1e-5f);
    }

    @Test
    void aFirstConvThatPadsReadsEveryPixelSoNothingIsCropped(@TempDir Path dir) throws IOException {
        ModelProto padding = PaddedFixture.firstConvPadding(dir);
        InputCrop crop = InputCrop.of(padding, "input");
        assertThat(crop.crops()).isFalse();
        assertThat(crop.apply()).isSameAs(padding);
    }

    @Test
    void anImageReadByTwoNodesIsReadWhole(@TempDir Path dir) throws IOException {
        ModelProto model = OnnxModels.read(ForeignModel.copyTo(dir, "foreign.onnx"));
        GraphProto branching = model.getGraph().toBuilder()
                .addNode(Nodes.node("Identity", "second_reader", List.of("input"), List.of("copy")))
                .build();
        assertThat(InputCrop.of(model.toBuilder().setGraph(branching).build(), "input").crops()).isFalse();
    }
}

package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.testkit.ForeignModel;

/** Input channels padded to a multiple of four, on the PyTorch export of the seed CNN and real test images. */
class ChannelPaddingTest {

    @Test
    void theThreeChannelConvReadsAFourthZeroChannelAndTheModelScoresAsBefore(@TempDir Path dir) throws IOException {
        Path fp32 = ForeignModel.copyTo(dir, "foreign.onnx");
        ModelProto padded = ChannelPadding.apply(OnnxModels.read(fp32));
        GraphIndex graph = new GraphIndex(padded.getGraph());

        NodeProto conv1 = node(graph, "/conv1/Conv");
        NodeProto pad = graph.producer(conv1.getInput(0)).orElseThrow();
        assertThat(pad.getOpType()).isEqualTo("Pad");
        assertThat(pad.getInput(0)).isEqualTo("input");
        assertThat(Tensors.shape(graph.initializer(conv1.getInput(1)).orElseThrow())).containsExactly(64, 4, 3, 3);
        float[] weights = Tensors.toFloats(graph.initializer(conv1.getInput(1)).orElseThrow());
        for (int m = 0; m < 64; m++) {
            for (int k = 0; k < 9; k++) {
                assertThat(weights[m * 36 + 27 + k]).as("filter %d, added channel, tap %d", m, k).isZero();
            }
        }
        assertThat(graph.opTypes().stream().filter("Pad"::equals)).as("the 64- and 128-channel Convs are left").hasSize(1);

        SameScores.assertSameScores(fp32, ForeignModelQuantizationTest.TORCH_CONVENTIONS, padded,
                dir.resolve("foreign-padded.onnx"), 1e-5f);
    }

    @Test
    void aModelWhoseConvsReadMultiplesOfFourChannelsIsLeftAsItIs(@TempDir Path dir) throws IOException {
        ModelProto once = ChannelPadding.apply(OnnxModels.read(ForeignModel.copyTo(dir, "foreign.onnx")));
        assertThat(ChannelPadding.apply(once)).isSameAs(once);
    }

    private static NodeProto node(GraphIndex graph, String name) {
        List<NodeProto> found = graph.graph().getNodeList().stream().filter(n -> n.getName().equals(name)).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }
}

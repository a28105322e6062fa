package io.cifarstream.quantization;

import java.io.IOException;
import java.nio.file.Path;

import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.testkit.ForeignModel;

/** The PyTorch fixture with its first Conv padding its borders by one pixel, for rewrites that must refuse it. */
final class PaddedFixture {
    private PaddedFixture() {
    }

    /** The fixture, copied into {@code dir}, whose Conv reading {@code input} has pads 1, 1, 1, 1. */
    static ModelProto firstConvPadding(Path dir) throws IOException {
        ModelProto model = OnnxModels.read(ForeignModel.copyTo(dir, "foreign.onnx"));
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (node.getInputList().contains("input")) {
                graph.setNode(i, node.toBuilder().clearAttribute().addAllAttribute(node.getAttributeList().stream()
                        .filter(a -> !a.getName().equals("pads")).toList()).addAttribute(Nodes.ints("pads", 1, 1, 1, 1)));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }
}

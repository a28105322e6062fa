package io.cifarstream.quantization;

import java.util.HashSet;
import java.util.Set;

import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;

/** The node and tensor names a graph uses, and new ones for what quantization adds, each refused when taken. */
final class GraphNames {
    private final Set<String> used = new HashSet<>();

    GraphNames(GraphProto graph) {
        for (NodeProto node : graph.getNodeList()) {
            used.addAll(node.getOutputList());
            used.add(node.getName());
        }
        graph.getInitializerList().forEach(t -> used.add(t.getName()));
        graph.getInputList().forEach(v -> used.add(v.getName()));
    }

    /** {@code name}, refused when the graph already uses it (a model quantized before, say). */
    String fresh(String name) {
        if (!used.add(name)) {
            throw new ModelNotQuantizableException("the model already has a tensor or node named '" + name
                    + "': is it quantized already? Quantize its float32 model");
        }
        return name;
    }
}

package io.cifarstream.quantization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;

/**
 * What a static QDQ quantization of a graph changes, decided from the graph alone:
 * <ul>
 * <li>the compute nodes that become int8: every Conv with a constant 4-D weight (and constant bias, if any), and
 *     every Gemm with alpha = beta = 1, a constant 2-D B and a constant 1-D C (if any), whose constants no other node
 *     reads;</li>
 * <li>the activations that get a QuantizeLinear/DequantizeLinear pair: each int8 node's data input, traced back
 *     through value-preserving ops (MaxPool, Flatten, Reshape) to its <em>source</em>, the tensor calibration
 *     measures; the tensors on the way share the source's scale and zero point, so ONNX Runtime runs those ops on
 *     uint8 too. When the source is not an int8 node's output (a float op computed it), only the int8 node's input
 *     is quantized and the ops between stay float.</li>
 * </ul>
 * A ReLU stays in the graph before its output's QuantizeLinear, whose range starts at 0: ONNX Runtime drops it there
 * and fuses the Conv or Gemm before it with the quantization. An int8 node's output that feeds no int8 node (the
 * logits) stays float32.
 */
final class QuantizationPlan {
    /** Ops whose output holds only values of their (first) input, so it can share the input's quantization. */
    private static final Set<String> VALUE_PRESERVING = Set.of("MaxPool", "Flatten", "Reshape");

    private final List<NodeProto> int8Nodes;
    /** Quantized activation -> the source whose calibrated range it shares, in graph order. */
    private final Map<String, String> sourceOf;

    private QuantizationPlan(List<NodeProto> int8Nodes, Map<String, String> sourceOf) {
        this.int8Nodes = List.copyOf(int8Nodes);
        this.sourceOf = sourceOf;
    }

    /** The plan for {@code graph}, leaving the nodes named in {@code keptFloat} in float32. */
    static QuantizationPlan of(GraphIndex graph, Set<String> keptFloat) {
        List<NodeProto> int8Nodes = new ArrayList<>();
        for (NodeProto node : graph.graph().getNodeList()) {
            if (!keptFloat.contains(node.getName()) && quantizable(graph, node)) {
                int8Nodes.add(node);
            }
        }
        Set<String> int8Outputs = new LinkedHashSet<>();
        int8Nodes.forEach(n -> int8Outputs.add(n.getOutput(0)));
        Map<String, String> sourceOf = new LinkedHashMap<>();
        for (NodeProto node : int8Nodes) {
            List<String> chain = new ArrayList<>();
            String tensor = node.getInput(0);
            chain.add(tensor);
            Optional<NodeProto> producer = graph.producer(tensor);
            while (producer.isPresent() && valuePreserving(producer.get())) {
                tensor = producer.get().getInput(0);
                chain.add(tensor);
                producer = graph.producer(tensor);
            }
            if (!int8Output(graph, tensor, int8Outputs)) {
                // A float op computed it: quantize only what the int8 node reads, so the ops between run in float.
                tensor = node.getInput(0);
                chain = List.of(tensor);
            }
            for (String quantized : chain) {
                sourceOf.put(quantized, tensor);
            }
        }
        return new QuantizationPlan(int8Nodes, sourceOf);
    }

    /** The Conv and Gemm nodes that become int8, in graph order. */
    List<NodeProto> int8Nodes() {
        return int8Nodes;
    }

    /** Every activation that gets a Q/DQ pair. */
    Set<String> quantizedActivations() {
        return sourceOf.keySet();
    }

    /** The tensor whose calibrated range {@code activation} is quantized with. */
    String sourceOf(String activation) {
        return sourceOf.get(activation);
    }

    /** The tensors calibration has to measure. */
    Set<String> sources() {
        return new LinkedHashSet<>(sourceOf.values());
    }

    /** Whether an int8 node computed {@code tensor}, directly or through a ReLU (which folds into it). */
    private static boolean int8Output(GraphIndex graph, String tensor, Set<String> int8Outputs) {
        Optional<NodeProto> producer = graph.producer(tensor);
        if (producer.isPresent() && Nodes.isStandard(producer.get()) && producer.get().getOpType().equals("Relu")) {
            return int8Outputs.contains(producer.get().getInput(0));
        }
        return int8Outputs.contains(tensor);
    }

    static boolean valuePreserving(NodeProto node) {
        return Nodes.isStandard(node) && VALUE_PRESERVING.contains(node.getOpType());
    }

    /** Whether {@code node} becomes int8: see the class comment. */
    static boolean quantizable(GraphIndex graph, NodeProto node) {
        if (!Nodes.isStandard(node)) {
            return false;
        }
        return switch (node.getOpType()) {
            case "Conv" -> node.getInputCount() >= 2 && dims(graph, node.getInput(1)) == 4
                    && (node.getInputCount() < 3 || node.getInput(2).isEmpty() || dims(graph, node.getInput(2)) == 1);
            case "Gemm" -> Nodes.floatAttribute(node, "alpha", 1f) == 1f && Nodes.floatAttribute(node, "beta", 1f) == 1f
                    && Nodes.intAttribute(node, "transA", 0) == 0 && dims(graph, node.getInput(1)) == 2
                    && (node.getInputCount() < 3 || node.getInput(2).isEmpty() || dims(graph, node.getInput(2)) == 1);
            default -> false;
        };
    }

    /** The rank of a float32 initializer that one node reads, or -1 when {@code name} is not one. */
    private static int dims(GraphIndex graph, String name) {
        return graph.initializer(name).filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE)
                .filter(t -> graph.consumers(name).size() == 1)
                .map(TensorProto::getDimsCount).orElse(-1);
    }
}

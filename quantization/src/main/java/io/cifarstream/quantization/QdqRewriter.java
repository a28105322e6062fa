package io.cifarstream.quantization;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.onnx.proto.Onnx.ValueInfoProto;

/**
 * Writes the QDQ form of a graph for a {@link QuantizationPlan}: each quantized activation gets
 * QuantizeLinear → DequantizeLinear (uint8, its source's calibrated scale and zero point) right after it is computed,
 * read by the int8 nodes and value-preserving ops of the plan; each int8 node reads its weight as per-output-channel
 * symmetric int8 and its bias as int32 (scale = input scale × weight scale, zero point 0), each through a
 * DequantizeLinear. The float weights leave the model. Other nodes and everything the plan does not touch stay as
 * they were.
 */
final class QdqRewriter {
    /** Symmetric int8 weights use -127..127, so that negating a weight never overflows. */
    private static final int WEIGHT_MAX = 127;

    private final GraphIndex graph;
    private final QuantizationPlan plan;
    private final Map<String, UInt8Quantization> activations;
    private final GraphNames names;

    /**
     * @param activations the quantization of each source tensor of the plan
     */
    QdqRewriter(GraphIndex graph, QuantizationPlan plan, Map<String, UInt8Quantization> activations) {
        this.graph = graph;
        this.plan = plan;
        this.activations = activations;
        this.names = new GraphNames(graph.graph());
    }

    ModelProto rewrite(ModelProto model) {
        GraphProto original = graph.graph();
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> initializers = new ArrayList<>();
        Set<String> replacedWeights = new HashSet<>();
        Set<String> int8Nodes = new HashSet<>();
        plan.int8Nodes().forEach(n -> int8Nodes.add(n.getOutput(0)));
        // Node (by its first output, unique in a graph) -> the quantized activation it now reads as its data input.
        Map<String, String> rewired = new HashMap<>();
        for (String tensor : plan.quantizedActivations()) {
            for (NodeProto consumer : graph.consumers(tensor)) {
                boolean int8 = int8Nodes.contains(consumer.getOutput(0));
                boolean chain = QuantizationPlan.valuePreserving(consumer)
                        && plan.quantizedActivations().contains(consumer.getOutput(0));
                if ((int8 || chain) && consumer.getInput(0).equals(tensor)) {
                    rewired.put(consumer.getOutput(0), dequantized(tensor));
                }
            }
        }
        for (ValueInfoProto input : original.getInputList()) {
            if (plan.quantizedActivations().contains(input.getName())) {
                quantizeActivation(input.getName(), nodes, initializers);
            }
        }
        for (NodeProto node : original.getNodeList()) {
            NodeProto.Builder rewritten = node.toBuilder();
            if (rewired.containsKey(node.getOutput(0))) {
                rewritten.setInput(0, rewired.get(node.getOutput(0)));
            }
            if (int8Nodes.contains(node.getOutput(0))) {
                quantizeParameters(node, rewritten, nodes, initializers, replacedWeights);
            }
            nodes.add(rewritten.build());
            for (String output : node.getOutputList()) {
                if (plan.quantizedActivations().contains(output)) {
                    quantizeActivation(output, nodes, initializers);
                }
            }
        }
        List<TensorProto> kept = new ArrayList<>();
        for (TensorProto initializer : original.getInitializerList()) {
            if (!replacedWeights.contains(initializer.getName())) {
                kept.add(initializer);
            }
        }
        kept.addAll(initializers);
        // Exports of IR version 3 and older also list initializers as graph inputs: the replaced ones go there too.
        List<ValueInfoProto> inputs = original.getInputList().stream()
                .filter(input -> !replacedWeights.contains(input.getName())).toList();
        GraphProto quantized = original.toBuilder().clearNode().addAllNode(nodes).clearInitializer()
                .addAllInitializer(kept).clearInput().addAllInput(inputs).build();
        return model.toBuilder().setGraph(quantized).build();
    }

    /** QuantizeLinear → DequantizeLinear after {@code tensor}, with its source's scale and zero point. */
    private void quantizeActivation(String tensor, List<NodeProto> nodes, List<TensorProto> initializers) {
        UInt8Quantization q = activations.get(plan.sourceOf(tensor));
        String scale = names.fresh(tensor + "_scale");
        String zeroPoint = names.fresh(tensor + "_zero_point");
        initializers.add(Tensors.scalar(scale, q.scale()));
        initializers.add(Tensors.uint8s(zeroPoint, new long[0], new byte[] {(byte) q.zeroPoint()}));
        String quantized = names.fresh(tensor + "_quantized");
        nodes.add(Nodes.node("QuantizeLinear", names.fresh(tensor + "_QuantizeLinear"), List.of(tensor, scale, zeroPoint),
                List.of(quantized)));
        nodes.add(Nodes.node("DequantizeLinear", names.fresh(tensor + "_DequantizeLinear"),
                List.of(quantized, scale, zeroPoint), List.of(names.fresh(dequantized(tensor)))));
    }

    private static String dequantized(String tensor) {
        return tensor + "_dequantized";
    }

    /** The int8 weight and int32 bias of {@code node}, each behind a DequantizeLinear the node now reads. */
    private void quantizeParameters(NodeProto node, NodeProto.Builder rewritten, List<NodeProto> nodes,
                                    List<TensorProto> initializers, Set<String> replacedWeights) {
        TensorProto weight = graph.initializer(node.getInput(1)).orElseThrow();
        long[] shape = Tensors.shape(weight);
        // Gemm's B is [K, N] unless transB: the output channel is its last axis then.
        int axis = node.getOpType().equals("Gemm") && Nodes.intAttribute(node, "transB", 0) == 0 ? 1 : 0;
        float[] values = Tensors.toFloats(weight);
        int channels = (int) shape[axis];
        float[] weightScale = new float[channels];
        byte[] quantizedWeight = symmetricInt8(values, shape, axis, weightScale);
        String name = weight.getName();
        String weightInt8 = names.fresh(name + "_quantized");
        String weightScaleName = names.fresh(name + "_scale");
        String weightZero = names.fresh(name + "_zero_point");
        initializers.add(Tensors.int8s(weightInt8, shape, quantizedWeight));
        initializers.add(Tensors.floats(weightScaleName, new long[] {channels}, weightScale));
        initializers.add(Tensors.int8s(weightZero, new long[] {channels}, new byte[channels]));
        nodes.add(Nodes.node("DequantizeLinear", names.fresh(name + "_DequantizeLinear"),
                List.of(weightInt8, weightScaleName, weightZero), List.of(names.fresh(name + "_dequantized")),
                Nodes.attribute("axis", axis)));
        rewritten.setInput(1, name + "_dequantized");
        replacedWeights.add(name);

        if (node.getInputCount() >= 3 && !node.getInput(2).isEmpty()) {
            TensorProto bias = graph.initializer(node.getInput(2)).orElseThrow();
            float inputScale = activations.get(plan.sourceOf(node.getInput(0))).scale();
            float[] biasValues = Tensors.toFloats(bias);
            float[] biasScale = new float[channels];
            int[] quantizedBias = new int[channels];
            for (int c = 0; c < channels; c++) {
                biasScale[c] = inputScale * weightScale[c];
                double q = Math.rint(biasValues[c] / (double) biasScale[c]);
                quantizedBias[c] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, q));
            }
            String biasName = bias.getName();
            String biasInt32 = names.fresh(biasName + "_quantized");
            String biasScaleName = names.fresh(biasName + "_scale");
            String biasZero = names.fresh(biasName + "_zero_point");
            initializers.add(Tensors.int32s(biasInt32, new long[] {channels}, quantizedBias));
            initializers.add(Tensors.floats(biasScaleName, new long[] {channels}, biasScale));
            initializers.add(Tensors.int32s(biasZero, new long[] {channels}, new int[channels]));
            nodes.add(Nodes.node("DequantizeLinear", names.fresh(biasName + "_DequantizeLinear"),
                    List.of(biasInt32, biasScaleName, biasZero), List.of(names.fresh(biasName + "_dequantized")),
                    Nodes.attribute("axis", 0)));
            rewritten.setInput(2, biasName + "_dequantized");
            replacedWeights.add(biasName);
        }
    }

    /**
     * Per-channel symmetric int8 of a row-major tensor along {@code axis}: scale[c] = max |w| over channel c / 127
     * (1 for an all-zero channel), q = round(w / scale[c]), halves to even as numpy rounds.
     */
    static byte[] symmetricInt8(float[] values, long[] shape, int axis, float[] scales) {
        int channels = (int) shape[axis];
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        float[] absMax = new float[channels];
        for (int i = 0; i < values.length; i++) {
            int c = (int) ((i / inner) % channels);
            absMax[c] = Math.max(absMax[c], Math.abs(values[i]));
        }
        for (int c = 0; c < channels; c++) {
            scales[c] = absMax[c] > 0 ? absMax[c] / WEIGHT_MAX : 1f;
        }
        byte[] quantized = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            int c = (int) ((i / inner) % channels);
            double q = Math.rint(values[i] / scales[c]);
            quantized[i] = (byte) Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, q));
        }
        return quantized;
    }
}

package io.cifarstream.trainer.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.TensorValues;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.OperatorSetIdProto;

/**
 * The CIFAR-10 CNN as an ONNX model (IR 7, opset 13) with its trained weights as initializers: input {@value #INPUT}
 * float32 [N,3,32,32] of raw 0-255 pixel values, normalization x*scale[c]+shift[c] inside the graph, output
 * {@value #OUTPUT} float32 [N,10] log-probabilities; N is the dynamic dimension "N".
 */
public final class OnnxCifarNet {
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "log_probs";
    public static final long IR_VERSION = 7;
    public static final long OPSET = 13;

    private OnnxCifarNet() {
    }

    /** A named float32 tensor in row-major order. */
    public record Tensor(String name, long[] shape, float[] values) {
    }

    /**
     * The model.
     *
     * @param parameters conv1.weight, conv1.bias, ..., fc3.bias in forward order (PyTorch names and layouts)
     * @param scale      per-channel multiplier of raw pixels
     * @param shift      per-channel offset added after scaling
     * @param metadata   metadata_props, in order
     */
    public static ModelProto model(List<Tensor> parameters, float[] scale, float[] shift, Map<String, String> metadata,
                                   String producerName, String producerVersion) {
        if (parameters.size() != 12) {
            throw new IllegalArgumentException("expected the 12 parameter arrays of the CNN, got " + parameters.size());
        }
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(Nodes.node("Mul", "normalize_scale", List.of(INPUT, "input_scale"), List.of("scaled")));
        nodes.add(Nodes.node("Add", "normalize_shift", List.of("scaled", "input_shift"), List.of("normalized")));
        String x = "normalized";
        for (int layer = 1; layer <= 3; layer++) {
            String conv = "conv" + layer;
            nodes.add(Nodes.node("Conv", conv, List.of(x, conv + ".weight", conv + ".bias"), List.of(conv + "_out"),
                    Nodes.ints("kernel_shape", 3, 3), Nodes.ints("strides", 1, 1), Nodes.ints("pads", 0, 0, 0, 0)));
            nodes.add(Nodes.node("Relu", "relu" + layer, List.of(conv + "_out"), List.of("relu" + layer + "_out")));
            nodes.add(Nodes.node("MaxPool", "pool" + layer, List.of("relu" + layer + "_out"),
                    List.of("pool" + layer + "_out"), Nodes.ints("kernel_shape", 2, 2), Nodes.ints("strides", 2, 2)));
            x = "pool" + layer + "_out";
        }
        nodes.add(Nodes.node("Flatten", "flatten", List.of(x), List.of("flat"), Nodes.attribute("axis", 1)));
        x = "flat";
        for (int layer = 1; layer <= 3; layer++) {
            String fc = "fc" + layer;
            nodes.add(Nodes.node("Gemm", fc, List.of(x, fc + ".weight", fc + ".bias"), List.of(fc + "_out"),
                    Nodes.attribute("transB", 1)));
            x = fc + "_out";
            if (layer < 3) {
                nodes.add(Nodes.node("Relu", "relu_" + fc, List.of(x), List.of("relu_" + fc + "_out")));
                x = "relu_" + fc + "_out";
            }
        }
        nodes.add(Nodes.node("LogSoftmax", "log_softmax", List.of(x), List.of(OUTPUT), Nodes.attribute("axis", 1)));

        GraphProto.Builder graph = GraphProto.newBuilder().setName("cifar_cnn").addAllNode(nodes)
                .addInitializer(Tensors.floats("input_scale", new long[] {1, 3, 1, 1}, scale))
                .addInitializer(Tensors.floats("input_shift", new long[] {1, 3, 1, 1}, shift))
                .addInput(TensorValues.batchOfFloats(INPUT, "N", 3, 32, 32))
                .addOutput(TensorValues.batchOfFloats(OUTPUT, "N", 10));
        for (Tensor p : parameters) {
            graph.addInitializer(Tensors.floats(p.name(), p.shape(), p.values()));
        }
        ModelProto model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(producerName)
                .setProducerVersion(producerVersion).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).build();
        return OnnxModels.withMetadata(model, metadata);
    }
}

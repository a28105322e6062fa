package io.cifarstream.trainer.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Writes the CIFAR-10 CNN as an ONNX model (IR 7, opset 13) with its trained weights as initializers:
 * input {@value #INPUT} float32 [N,3,32,32] of raw 0-255 pixel values, normalization x*scale[c]+shift[c] inside
 * the graph, output {@value #OUTPUT} float32 [N,10] log-probabilities; N is the dynamic dimension "N".
 *
 * <p>Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto).
 */
public final class OnnxCifarNet {
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "log_probs";
    public static final long IR_VERSION = 7;
    public static final long OPSET = 13;

    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private OnnxCifarNet() {
    }

    /** A named float32 tensor in row-major order. */
    public record Tensor(String name, long[] shape, float[] values) {
    }

    /**
     * The model's bytes.
     *
     * @param parameters conv1.weight, conv1.bias, ..., fc3.bias in forward order (PyTorch names and layouts)
     * @param scale      per-channel multiplier of raw pixels
     * @param shift      per-channel offset added after scaling
     * @param metadata   metadata_props, in order
     */
    public static byte[] write(List<Tensor> parameters, float[] scale, float[] shift, Map<String, String> metadata,
                               String producerName, String producerVersion) {
        if (parameters.size() != 12) {
            throw new IllegalArgumentException("expected the 12 parameter arrays of the CNN, got " + parameters.size());
        }
        ProtoWriter graph = new ProtoWriter();
        graph.message(1, node("Mul", "normalize_scale", List.of(INPUT, "input_scale"), "scaled"));
        graph.message(1, node("Add", "normalize_shift", List.of("scaled", "input_shift"), "normalized"));
        String x = "normalized";
        for (int layer = 1; layer <= 3; layer++) {
            String conv = "conv" + layer;
            graph.message(1, node("Conv", conv, List.of(x, conv + ".weight", conv + ".bias"), conv + "_out")
                    .message(5, ints("kernel_shape", 3, 3))
                    .message(5, ints("strides", 1, 1))
                    .message(5, ints("pads", 0, 0, 0, 0)));
            graph.message(1, node("Relu", "relu" + layer, List.of(conv + "_out"), "relu" + layer + "_out"));
            graph.message(1, node("MaxPool", "pool" + layer, List.of("relu" + layer + "_out"), "pool" + layer + "_out")
                    .message(5, ints("kernel_shape", 2, 2))
                    .message(5, ints("strides", 2, 2)));
            x = "pool" + layer + "_out";
        }
        graph.message(1, node("Flatten", "flatten", List.of(x), "flat").message(5, integer("axis", 1)));
        x = "flat";
        for (int layer = 1; layer <= 3; layer++) {
            String fc = "fc" + layer;
            graph.message(1, node("Gemm", fc, List.of(x, fc + ".weight", fc + ".bias"), fc + "_out")
                    .message(5, integer("transB", 1)));
            x = fc + "_out";
            if (layer < 3) {
                graph.message(1, node("Relu", "relu_" + fc, List.of(x), "relu_" + fc + "_out"));
                x = "relu_" + fc + "_out";
            }
        }
        graph.message(1, node("LogSoftmax", "log_softmax", List.of(x), OUTPUT).message(5, integer("axis", 1)));
        graph.string(2, "cifar_cnn");
        graph.message(5, tensor(new Tensor("input_scale", new long[] {1, 3, 1, 1}, scale.clone())));
        graph.message(5, tensor(new Tensor("input_shift", new long[] {1, 3, 1, 1}, shift.clone())));
        for (Tensor p : parameters) {
            graph.message(5, tensor(p));
        }
        graph.message(11, valueInfo(INPUT, 3, 32, 32));
        graph.message(12, valueInfo(OUTPUT, 10));

        ProtoWriter model = new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, producerName)
                .string(3, producerVersion)
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            model.message(14, new ProtoWriter().string(1, entry.getKey()).string(2, entry.getValue()));
        }
        return model.toByteArray();
    }

    private static ProtoWriter node(String opType, String name, List<String> inputs, String output) {
        ProtoWriter node = new ProtoWriter();
        for (String input : inputs) {
            node.string(1, input);
        }
        return node.string(2, output).string(3, name).string(4, opType);
    }

    private static ProtoWriter ints(String name, long... values) {
        ProtoWriter attribute = new ProtoWriter().string(1, name);
        for (long v : values) {
            attribute.varint(8, v);
        }
        return attribute.varint(20, ATTRIBUTE_INTS);
    }

    private static ProtoWriter integer(String name, long value) {
        return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    private static ProtoWriter tensor(Tensor t) {
        long expected = 1;
        ProtoWriter tensor = new ProtoWriter();
        for (long d : t.shape()) {
            tensor.varint(1, d);
            expected *= d;
        }
        if (expected != t.values().length) {
            throw new IllegalArgumentException(t.name() + ": shape holds " + expected + " values, got "
                    + t.values().length);
        }
        ByteBuffer raw = ByteBuffer.allocate(t.values().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(t.values());
        return tensor.varint(2, FLOAT).string(8, t.name()).bytes(9, raw.array());
    }

    /** A float32 tensor value [N, dims...] with the batch dimension named "N". */
    private static ProtoWriter valueInfo(String name, long... dims) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "N"));
        for (long d : dims) {
            shape.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}

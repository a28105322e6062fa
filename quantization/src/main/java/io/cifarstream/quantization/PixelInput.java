package io.cifarstream.quantization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.cifarstream.inference.InputConvention;
import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.onnx.proto.Onnx.ValueInfoProto;
import io.cifarstream.schemas.CifarShape;

/**
 * Lets an int8 model read the images' bytes themselves: its input becomes uint8 pixels, 0-255, which its first Conv
 * takes as they are (a DequantizeLinear of scale 1 and zero point {@code z}: exact), so nothing converts pixels to
 * float, in Java or in the graph, and no input rounding error is added.
 *
 * <p>Two steps around quantization. {@link #fold} rewrites the float32 graph to read {@code u = x - z} for pixel
 * values {@code x}: the per-channel affine map from pixels to the first Conv's input ({@code x * scale[c] +
 * shift[c]}: the input convention the model is fed with, then any {@code Mul} and {@code Add} by per-channel
 * constants the graph applies first) becomes {@code u * scale[c] + (shift[c] + z * scale[c])} and moves into that
 * Conv's weights and bias: {@code W'[m,c,..] = W[m,c,..] * scale[c]}, {@code b'[m] = b[m] + sum_{c,k} W[m,c,k] *
 * (shift[c] + z * scale[c])}. That is exact only for a Conv without padding, whose every output reads real pixels
 * only (a zero added at a border would stand for a pixel value); a model whose first Conv pads, or whose input goes
 * through anything else first, keeps its float32 input. {@link #bytes} then, after the QDQ rewrite, makes the graph
 * input uint8 and drops its QuantizeLinear: with scale 1 and zero point {@code z} it stored {@code u + z = x}.
 *
 * <p>Why a zero point near the mean pixel rather than 0: int8 weights are rounded, and the rounding error of each
 * filter multiplies what the Conv reads. Reading {@code x} itself, all positive (mean about 120 on CIFAR-10), every
 * filter's errors add up coherently into an offset that follows the image's brightness; reading {@code x - z}, centred,
 * they mostly cancel, as they did on the normalized input. Measured on the demo's model, 10,000 test images: 99.26% of
 * decisions agreed with float32 at the mean pixel (119), 98.72% at zero point 0, 99.12% with the normalized input
 * quantized instead.
 */
final class PixelInput {

    private PixelInput() {
    }

    /**
     * The model with {@code convention} and its leading per-channel {@code Mul}/{@code Add} folded into the first
     * Conv, reading pixel values minus {@code zeroPoint} (float32 until {@link #bytes}); empty when the graph does
     * not allow it.
     */
    static Optional<ModelProto> fold(ModelProto model, String input, InputConvention convention, int zeroPoint) {
        GraphProto graph = model.getGraph();
        GraphIndex index = new GraphIndex(graph);
        float[] scale = new float[CifarShape.CHANNELS];
        float[] shift = new float[CifarShape.CHANNELS];
        for (int c = 0; c < CifarShape.CHANNELS; c++) {
            scale[c] = convention.scale(c);
            shift[c] = convention.shift(c) + zeroPoint * convention.scale(c);
        }
        List<NodeProto> folded = new ArrayList<>();
        Set<String> constants = new HashSet<>();
        String tensor = input;
        NodeProto node = index.soleReader(tensor).orElse(null);
        while (node != null && (node.getOpType().equals("Mul") || node.getOpType().equals("Add"))) {
            Optional<float[]> constant = channelConstant(index, node, tensor);
            if (constant.isEmpty()) {
                return Optional.empty();
            }
            float[] k = constant.get();
            for (int c = 0; c < CifarShape.CHANNELS; c++) {
                if (node.getOpType().equals("Mul")) {
                    scale[c] *= k[c];
                    shift[c] *= k[c];
                } else {
                    shift[c] += k[c];
                }
            }
            folded.add(node);
            constants.add(node.getInput(0).equals(tensor) ? node.getInput(1) : node.getInput(0));
            tensor = node.getOutput(0);
            node = index.soleReader(tensor).orElse(null);
        }
        if (node == null || !unpaddedConv(node) || !node.getInput(0).equals(tensor)) {
            return Optional.empty();
        }
        Optional<TensorProto> weight = index.initializer(node.getInput(1));
        if (weight.isEmpty() || weight.get().getDims(1) != CifarShape.CHANNELS || weight.get().getDimsCount() != 4
                || index.consumers(weight.get().getName()).size() != 1) {
            return Optional.empty();
        }
        String biasName = node.getInputCount() >= 3 ? node.getInput(2) : "";
        Optional<TensorProto> bias = biasName.isEmpty() ? Optional.empty() : index.initializer(biasName);
        if (!biasName.isEmpty() && (bias.isEmpty() || index.consumers(biasName).size() != 1)) {
            return Optional.empty();
        }

        long[] shape = Tensors.shape(weight.get());
        int outputs = (int) shape[0];
        int kernel = (int) (shape[2] * shape[3]);
        float[] w = Tensors.toFloats(weight.get());
        float[] b = bias.map(Tensors::toFloats).orElse(new float[outputs]);
        float[] scaledWeight = new float[w.length];
        float[] shiftedBias = new float[outputs];
        for (int m = 0; m < outputs; m++) {
            double sum = b[m];
            for (int c = 0; c < CifarShape.CHANNELS; c++) {
                for (int k = 0; k < kernel; k++) {
                    int at = (m * CifarShape.CHANNELS + c) * kernel + k;
                    scaledWeight[at] = w[at] * scale[c];
                    sum += (double) w[at] * shift[c];
                }
            }
            shiftedBias[m] = (float) sum;
        }

        // A constant goes with the nodes folded away unless something else reads it too.
        Set<String> folding = new HashSet<>();
        folded.forEach(n -> folding.add(n.getOutput(0)));
        constants.removeIf(name -> index.consumers(name).stream().anyMatch(n -> !folding.contains(n.getOutput(0))));
        String newBias = biasName.isEmpty() ? new GraphNames(graph).fresh(node.getOutput(0) + "_folded_bias") : biasName;
        List<TensorProto> initializers = new ArrayList<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getName().equals(weight.get().getName())) {
                initializers.add(Tensors.floats(t.getName(), shape, scaledWeight));
            } else if (!t.getName().equals(newBias) && !constants.contains(t.getName())) {
                initializers.add(t);
            }
        }
        initializers.add(Tensors.floats(newBias, new long[] {outputs}, shiftedBias));
        NodeProto.Builder conv = node.toBuilder().setInput(0, input);
        if (node.getInputCount() >= 3) {
            conv.setInput(2, newBias);
        } else {
            conv.addInput(newBias);
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOutput(0).equals(node.getOutput(0))) {
                nodes.add(conv.build());
            } else if (!folding.contains(n.getOutput(0))) {
                nodes.add(n);
            }
        }
        List<ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(v -> !constants.contains(v.getName())).toList();
        GraphProto rewritten = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer()
                .addAllInitializer(initializers).clearInput().addAllInput(inputs).build();
        return Optional.of(model.toBuilder().setGraph(rewritten).build());
    }

    /**
     * The quantized model of a {@link #fold folded} one with a uint8 input: the QuantizeLinear that reads the input
     * (or the channel {@code Pad} of it) goes, its DequantizeLinear reads the bytes, and a {@code Pad} between them
     * pads bytes with 0, where it padded with 0.0: either meets only the zero weights of the channels it adds. The
     * caller quantized those pixels with scale 1 and the zero point they were folded with.
     *
     * @throws IllegalStateException when no QuantizeLinear reads the pixels (a bug here)
     */
    static ModelProto bytes(ModelProto quantized, String input) {
        GraphProto graph = quantized.getGraph();
        GraphIndex index = new GraphIndex(graph);
        String pixels = pixelsReadByFirstConv(index, input);
        NodeProto quantize = index.soleReader(pixels).orElse(null);
        if (quantize == null || !quantize.getOpType().equals("QuantizeLinear")) {
            throw new IllegalStateException("no QuantizeLinear reads the folded model's pixels " + pixels);
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOutput(0).equals(quantize.getOutput(0))) {
                continue;
            }
            NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(quantize.getOutput(0))) {
                    b.setInput(i, pixels);
                }
            }
            nodes.add(b.build());
        }
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            ValueInfoProto.Builder b = v.toBuilder();
            if (v.getName().equals(input)) {
                b.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.UINT8_VALUE);
            }
            inputs.add(b.build());
        }
        // A float type recorded for the padded pixels would contradict the uint8 Pad now computing them.
        List<ValueInfoProto> valueInfo = graph.getValueInfoList().stream().filter(v -> !v.getName().equals(pixels))
                .toList();
        GraphProto rewritten = graph.toBuilder().clearNode().addAllNode(nodes).clearInput().addAllInput(inputs)
                .clearValueInfo().addAllValueInfo(valueInfo).build();
        return quantized.toBuilder().setGraph(rewritten).build();
    }

    /** The mean value of the calibration images' bytes, rounded: the zero point of the pixels. */
    static int zeroPoint(byte[] pixels) {
        long sum = 0;
        for (byte b : pixels) {
            sum += b & 0xFF;
        }
        return pixels.length == 0 ? 128 : (int) Math.round((double) sum / pixels.length);
    }

    /** How calibration feeds a folded model: pixel values minus {@code zeroPoint}, in float32. */
    static InputConvention calibrationConvention(int zeroPoint) {
        float step = 1f / 255f;
        // normalized(): x / 255 - mean, divided by std; with std = 1/255 and mean = z/255 that is x - z.
        return InputConvention.normalized(new float[] {zeroPoint * step, zeroPoint * step, zeroPoint * step},
                new float[] {step, step, step});
    }

    /** The tensor that holds the pixels the first Conv reads: its {@code Pad} output where it has one, else the input. */
    static String pixelsReadByFirstConv(ModelProto folded, String input) {
        return pixelsReadByFirstConv(new GraphIndex(folded.getGraph()), input);
    }

    private static String pixelsReadByFirstConv(GraphIndex index, String input) {
        return index.soleReader(input).filter(first -> first.getOpType().equals("Pad")).map(first -> first.getOutput(0))
                .orElse(input);
    }

    /** A Mul's or Add's other operand, when it is a constant of one value per channel (shape [3,1,1], [1,3,1,1]) or one value. */
    private static Optional<float[]> channelConstant(GraphIndex index, NodeProto node, String tensor) {
        if (node.getInputCount() != 2) {
            return Optional.empty();
        }
        String other = node.getInput(0).equals(tensor) ? node.getInput(1) : node.getInput(0);
        Optional<TensorProto> constant = index.initializer(other);
        if (constant.isEmpty() || constant.get().getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return Optional.empty();
        }
        long[] shape = Tensors.shape(constant.get());
        float[] values = Tensors.toFloats(constant.get());
        float[] perChannel = new float[CifarShape.CHANNELS];
        if (values.length == 1) {
            Arrays.fill(perChannel, values[0]);
            return Optional.of(perChannel);
        }
        boolean channels = values.length == CifarShape.CHANNELS && shape.length >= 3
                && shape[shape.length - 3] == CifarShape.CHANNELS && shape[shape.length - 1] == 1
                && shape[shape.length - 2] == 1;
        return channels ? Optional.of(values) : Optional.empty();
    }

    /** A Conv of one group whose every output reads input pixels only: no padding. */
    private static boolean unpaddedConv(NodeProto node) {
        return node.getOpType().equals("Conv") && Nodes.intAttribute(node, "group", 1) == 1 && node.getInputCount() >= 2
                && Nodes.unpadded(node);
    }
}

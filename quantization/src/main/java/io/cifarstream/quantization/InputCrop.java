package io.cifarstream.quantization;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.onnx.proto.Onnx.TensorShapeProto;
import io.cifarstream.onnx.proto.Onnx.ValueInfoProto;

/**
 * The rows and columns of the input image that reach a model's output, and the model reading only those: a
 * {@code Slice} at its input. Every tensor after it holds the values it held, only without what nothing read.
 *
 * <p>Why: a Conv without padding and a MaxPool in floor mode leave out the trailing rows and columns their windows
 * cannot cover. In the CIFAR-10 CNN (3x3 Convs without padding, each followed by a 2x2 pool) conv2 computes 13x13
 * outputs of which pool2 reads 12x12; traced back, the last two rows and columns of the 32x32 image reach no output.
 * Reading 30x30 pixels, conv1 computes 28x28 outputs instead of 30x30 and conv2 12x12 instead of 13x13: 11% of the
 * model's multiply-adds, which the int8 model no longer does (docs/int8.md measures what it is worth).
 *
 * <p>How: from the input, follow the tensor through operators whose output rows and columns are windows of their input's
 * (Conv and MaxPool/AveragePool without padding and in floor mode, with kernels, strides and dilations) or that keep
 * rows and columns as they are (activations, QuantizeLinear/DequantizeLinear, per-channel arithmetic, a Pad of
 * channels only), while each tensor has one reader. The last tensor reached is taken as read whole, whatever reads
 * it (a Flatten, a branch, an operator not listed); walking back through the windows gives the rows and columns of the
 * input it depends on: a window of kernel k, stride s and dilation d reads {@code (u - 1) * s + (k - 1) * d + 1} of its
 * input's rows for {@code u} output rows.
 *
 * @param height  the input's rows (0 when not fixed)
 * @param width   the input's columns (0 when not fixed)
 * @param rows    the leading rows of the input that reach the output
 * @param columns the leading columns of the input that reach the output
 * @param shrunk  the tensors walked, from the input's reader on: they shrink with the input
 */
record InputCrop(ModelProto model, String input, long height, long width, long rows, long columns,
        List<String> shrunk) {
    private static final int ROWS = 2;
    private static final int COLUMNS = 3;

    /**
     * What of {@code model}'s image input {@code input}, NCHW with a fixed height and width, reaches its output; the
     * whole image where the input's size is not fixed or nothing can be cropped.
     */
    static InputCrop of(ModelProto model, String input) {
        GraphIndex index = new GraphIndex(model.getGraph());
        Optional<long[]> size = spatialSize(model.getGraph(), input);
        if (size.isEmpty()) {
            return new InputCrop(model, input, 0, 0, 0, 0, List.of());
        }
        long height = size.get()[0];
        long width = size.get()[1];
        List<Window> windows = new ArrayList<>();
        List<String> tensors = new ArrayList<>();
        long h = height;
        long w = width;
        String tensor = input;
        for (NodeProto node = index.soleReader(tensor).orElse(null); node != null;
                node = index.soleReader(tensor).orElse(null)) {
            Optional<Window> window = window(index, node, tensor);
            if (window.isEmpty() || window.get().outputs(h, window.get().rows) < 1
                    || window.get().outputs(w, window.get().columns) < 1) {
                break;
            }
            h = window.get().outputs(h, window.get().rows);
            w = window.get().outputs(w, window.get().columns);
            windows.add(window.get());
            tensor = node.getOutput(0);
            tensors.add(tensor);
        }
        long rows = h;
        long columns = w;
        for (int i = windows.size() - 1; i >= 0; i--) {
            rows = windows.get(i).reads(rows, windows.get(i).rows);
            columns = windows.get(i).reads(columns, windows.get(i).columns);
        }
        return new InputCrop(model, input, height, width, rows, columns, tensors);
    }

    /** Whether some rows or columns of the input reach no output. */
    boolean crops() {
        return rows < height || columns < width;
    }

    /** The model reading only {@link #rows()} x {@link #columns()} of its input; the model itself if {@link #crops()} is false. */
    ModelProto apply() {
        if (!crops()) {
            return model;
        }
        GraphProto graph = model.getGraph();
        GraphNames names = new GraphNames(graph);
        String starts = names.fresh(input + "_crop_starts");
        String ends = names.fresh(input + "_crop_ends");
        String axes = names.fresh(input + "_crop_axes");
        String cropped = names.fresh(input + "_cropped");
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(Nodes.node("Slice", names.fresh(input + "_crop"), List.of(input, starts, ends, axes), List.of(cropped)));
        for (NodeProto node : graph.getNodeList()) {
            NodeProto.Builder b = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                if (node.getInput(i).equals(input)) {
                    b.setInput(i, cropped);
                }
            }
            nodes.add(b.build());
        }
        // Shapes recorded for the tensors between the input and the last one walked no longer hold.
        Set<String> stale = new HashSet<>(shrunk.subList(0, shrunk.size() - 1));
        List<ValueInfoProto> valueInfo = graph.getValueInfoList().stream()
                .filter(v -> !stale.contains(v.getName())).toList();
        GraphProto rewritten = graph.toBuilder().clearNode().addAllNode(nodes)
                .addInitializer(Tensors.int64s(starts, new long[] {2}, new long[] {0, 0}))
                .addInitializer(Tensors.int64s(ends, new long[] {2}, new long[] {rows, columns}))
                .addInitializer(Tensors.int64s(axes, new long[] {2}, new long[] {ROWS, COLUMNS}))
                .clearValueInfo().addAllValueInfo(valueInfo).build();
        return model.toBuilder().setGraph(rewritten).build();
    }

    /** A window along rows and along columns: {@code [kernel, stride, dilation]} each; 1, 1, 1 keeps them. */
    private record Window(long[] rows, long[] columns) {
        static final Window SAME = new Window(new long[] {1, 1, 1}, new long[] {1, 1, 1});

        long outputs(long inputs, long[] axis) {
            long span = (axis[0] - 1) * axis[2] + 1;
            return inputs < span ? 0 : (inputs - span) / axis[1] + 1;
        }

        long reads(long outputs, long[] axis) {
            return (outputs - 1) * axis[1] + (axis[0] - 1) * axis[2] + 1;
        }
    }

    /** How {@code node}, reading {@code tensor} as its data, maps rows and columns; empty when it is not known to. */
    private static Optional<Window> window(GraphIndex index, NodeProto node, String tensor) {
        if (perChannelArithmetic(index, node, tensor)) {
            return Optional.of(Window.SAME);
        }
        if (node.getInputCount() < 1 || !node.getInput(0).equals(tensor) || node.getOutputCount() != 1) {
            return Optional.empty();
        }
        boolean same = switch (node.getOpType()) {
            case "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Identity", "BatchNormalization" -> true;
            case "QuantizeLinear", "DequantizeLinear" -> perTensorOrChannel(index, node);
            case "Pad" -> channelPad(index, node);
            default -> false;
        };
        return same ? Optional.of(Window.SAME) : slidingWindow(index, node);
    }

    /** A Conv or pool without padding, in floor mode, over two spatial axes. */
    private static Optional<Window> slidingWindow(GraphIndex index, NodeProto node) {
        if (!Set.of("Conv", "MaxPool", "AveragePool").contains(node.getOpType())) {
            return Optional.empty();
        }
        long[] kernel = Nodes.intsAttribute(node, "kernel_shape").orElse(null);
        if (kernel == null && node.getOpType().equals("Conv") && node.getInputCount() >= 2) {
            kernel = index.initializer(node.getInput(1)).filter(t -> t.getDimsCount() == 4)
                    .map(t -> new long[] {t.getDims(2), t.getDims(3)}).orElse(null);
        }
        long[] s = Nodes.intsAttribute(node, "strides").orElse(new long[] {1, 1});
        long[] d = Nodes.intsAttribute(node, "dilations").orElse(new long[] {1, 1});
        if (kernel == null || kernel.length != 2 || s.length != 2 || d.length != 2 || !Nodes.unpadded(node)
                || Nodes.intAttribute(node, "ceil_mode", 0) != 0) {
            return Optional.empty();
        }
        return Optional.of(new Window(new long[] {kernel[0], s[0], d[0]}, new long[] {kernel[1], s[1], d[1]}));
    }

    /** A Quantize/DequantizeLinear with one scale, or one per channel (axis 1). */
    private static boolean perTensorOrChannel(GraphIndex index, NodeProto node) {
        Optional<TensorProto> scale = index.initializer(node.getInput(1));
        if (scale.isEmpty()) {
            return false;
        }
        long axis = Nodes.intAttribute(node, "axis", 1);
        return Tensors.elementCount(Tensors.shape(scale.get())) == 1 || axis == 1 || axis == -3;
    }

    /** {@code tensor} combined with a constant that is one value, or one per channel, broadcast over rows and columns. */
    private static boolean perChannelArithmetic(GraphIndex index, NodeProto node, String tensor) {
        if (!Set.of("Add", "Sub", "Mul", "Div").contains(node.getOpType()) || node.getInputCount() != 2
                || node.getOutputCount() != 1 || node.getInput(0).equals(node.getInput(1))) {
            return false;
        }
        String other = node.getInput(0).equals(tensor) ? node.getInput(1) : node.getInput(0);
        Optional<TensorProto> constant = index.initializer(other);
        if (constant.isEmpty()) {
            return false;
        }
        long[] shape = Tensors.shape(constant.get());
        return Tensors.elementCount(shape) == 1
                || (shape.length >= 3 && shape[shape.length - 1] == 1 && shape[shape.length - 2] == 1);
    }

    /** A Pad whose constant pads add nothing along rows and columns (as {@link ChannelPadding} writes them). */
    private static boolean channelPad(GraphIndex index, NodeProto node) {
        if (node.getInputCount() < 2 || node.getInputCount() > 3) {
            return false;
        }
        Optional<TensorProto> pads = index.initializer(node.getInput(1));
        if (pads.isEmpty()) {
            return false;
        }
        long[] p = Tensors.toLongs(pads.get());
        return p.length == 8 && p[ROWS] == 0 && p[COLUMNS] == 0 && p[4 + ROWS] == 0 && p[4 + COLUMNS] == 0;
    }

    /** Height and width of the NCHW input {@code input}, when both are fixed. */
    private static Optional<long[]> spatialSize(GraphProto graph, String input) {
        return graph.getInputList().stream().filter(v -> v.getName().equals(input)).findFirst().flatMap(v -> {
            List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
            if (dims.size() != 4 || !dims.get(ROWS).hasDimValue() || !dims.get(COLUMNS).hasDimValue()) {
                return Optional.empty();
            }
            return Optional.of(new long[] {dims.get(ROWS).getDimValue(), dims.get(COLUMNS).getDimValue()});
        });
    }
}

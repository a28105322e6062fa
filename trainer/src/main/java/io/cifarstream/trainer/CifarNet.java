package io.cifarstream.trainer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.cifarstream.schemas.CifarShape;

/**
 * The seed's CNN in DJL, exactly: conv1 3->64 k3 (no padding) -> ReLU -> maxpool 2x2 -> conv2 64->128 k3 -> ReLU ->
 * maxpool -> conv3 128->256 k3 -> ReLU -> maxpool -> flatten (1024) -> fc1 1024->128 -> ReLU -> fc2 128->256 ->
 * ReLU -> fc3 256->10 -> log-softmax. Input: normalized float32 [N,3,32,32]; output: log-probabilities [N,10].
 *
 * <p>Two choices make training steps about a third faster on two cores, neither changing a value:
 * <ul>
 *   <li>Each ReLU runs after its max-pool. ReLU is monotone, so max(relu(a), relu(b)) = relu(max(a, b)): the same
 *       outputs and the same gradients (a pooled value at or below zero passes none either way), on a quarter of the
 *       elements. The exported ONNX graph keeps the seed's order; the export's parity check compares the two.
 *   <li>Images go in channels-last ({@link #input}): libtorch's oneDNN convolutions then work on that layout
 *       directly instead of reordering every activation and gradient into a blocked layout and back, and pooling
 *       and ReLU run over contiguous channels.
 * </ul>
 *
 * <p>Parameters are named as PyTorch names them ({@code conv1.weight}, ...), in forward order, with PyTorch's
 * layouts (conv OIHW, linear [out,in]), initialized from a seeded generator (the recipe's scheme), so
 * the same seed gives the same network on every machine. The parameter arrays belong to the manager given to
 * {@link #create}; closing that manager frees them.
 */
public final class CifarNet {

    /** Trainable parameters of this architecture. */
    public static final long PARAMETER_COUNT = 537_610L;
    /** Input shape of one image. */
    public static final Shape IMAGE_SHAPE = new Shape(CifarShape.CHANNELS, CifarShape.SIDE, CifarShape.SIDE);

    private static final List<String> NAMES = List.of(
            "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias",
            "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias");

    private final SequentialBlock block;
    private final List<NamedParameter> parameters;
    private final ParameterStore store;

    private CifarNet(SequentialBlock block, List<NamedParameter> parameters, ParameterStore store) {
        this.block = block;
        this.parameters = parameters;
        this.store = store;
    }

    /** Builds the network in {@code manager} and initializes it as PyTorch would, from {@code random}. */
    public static CifarNet create(NDManager manager, SplitMix64 random, Recipe.Initialization initialization) {
        SequentialBlock block = new SequentialBlock()
                .add(conv(64)).add(pool()).add(Activation.reluBlock())
                .add(conv(128)).add(pool()).add(Activation.reluBlock())
                .add(conv(256)).add(pool()).add(Activation.reluBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(256).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build())
                .add(LambdaBlock.singleton(x -> x.logSoftmax(1), "logSoftmax"));
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        List<NamedParameter> named = new ArrayList<>();
        int i = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            named.add(new NamedParameter(NAMES.get(i++), array));
        }
        if (named.size() != NAMES.size()) {
            throw new IllegalStateException("expected " + NAMES.size() + " parameter arrays, DJL made " + named.size());
        }
        CifarNet net = new CifarNet(block, List.copyOf(named), new ParameterStore(manager, false));
        net.initialize(random, initialization);
        return net;
    }

    private static Block conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(filters).build();
    }

    private static Block pool() {
        return Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2));
    }

    /**
     * PyTorch's default for Conv2d and Linear: weight and bias both uniform in +-1/sqrt(fan_in) (kaiming_uniform
     * with a=sqrt(5) reduces to that bound); He: weights normal with std sqrt(2/fan_in), biases zero.
     */
    private void initialize(SplitMix64 random, Recipe.Initialization initialization) {
        for (int p = 0; p < parameters.size(); p += 2) {
            NDArray weight = parameters.get(p).array();
            NDArray bias = parameters.get(p + 1).array();
            long fanIn = weight.getShape().size() / weight.getShape().get(0);
            float[] weights = new float[Math.toIntExact(weight.size())];
            float[] biases = new float[Math.toIntExact(bias.size())];
            if (initialization == Recipe.Initialization.PYTORCH) {
                double bound = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
                for (int i = 0; i < biases.length; i++) {
                    biases[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
            } else {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = (float) (random.nextGaussian() * std);
                }
            }
            weight.set(weights);
            bias.set(biases);
        }
    }

    /**
     * The network's input, [count,3,32,32], over {@code count} normalized images laid out channels-last in
     * {@code pixels} (float32 [count,32,32,3], native order, as {@link BatchAssembler} writes them): a permuted view
     * that shares the buffer, which libtorch's convolutions recognize as channels-last.
     */
    static NDArray input(NDManager manager, ByteBuffer pixels, int count) {
        Shape channelsLast = new Shape(count, CifarShape.SIDE, CifarShape.SIDE, CifarShape.CHANNELS);
        return manager.create(pixels, channelsLast, DataType.FLOAT32).transpose(0, 3, 1, 2);
    }

    /**
     * Log-probabilities [N,10] for normalized images [N,3,32,32] (any layout; channels-last, from {@link #input}, is
     * the fast one); records gradients inside a collector.
     */
    public NDArray forward(NDArray images, boolean training) {
        return block.forward(store, new NDList(images), training).singletonOrThrow();
    }

    /** The trainable parameters in forward order, PyTorch-named. */
    public List<NamedParameter> parameters() {
        return parameters;
    }

    /** Output shape of every layer for a batch of {@code batch} images, in forward order. */
    public List<Shape> layerOutputShapes(long batch) {
        List<Shape> shapes = new ArrayList<>();
        Shape[] current = {new Shape(batch, 3, 32, 32)};
        for (Block child : block.getChildren().values()) {
            current = child.getOutputShapes(current);
            shapes.add(current[0]);
        }
        return shapes;
    }

    /** The parameter table the seed printed: one row per parameter array and the total. */
    public ParameterTable parameterTable() {
        return ParameterTable.of(parameters);
    }

    /** Copies every parameter's values out (forward order), e.g. for export and checkpoints. */
    public List<float[]> parameterValues() {
        return parameters.stream().map(p -> p.array().toFloatArray()).toList();
    }

    /** Overwrites every parameter's values (forward order); shapes must match. */
    public void setParameterValues(List<float[]> values) {
        if (values.size() != parameters.size()) {
            throw new IllegalArgumentException("expected " + parameters.size() + " arrays, got " + values.size());
        }
        for (int i = 0; i < values.size(); i++) {
            NDArray array = parameters.get(i).array();
            if (values.get(i).length != array.size()) {
                throw new IllegalArgumentException(parameters.get(i).name() + ": expected " + array.size()
                        + " values, got " + values.get(i).length);
            }
            array.set(values.get(i));
        }
    }

    /** A parameter array and its PyTorch name. */
    public record NamedParameter(String name, NDArray array) {
        public long[] shape() {
            return array.getShape().getShape();
        }

        public long count() {
            return array.size();
        }
    }
}

package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.CifarShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bfloat16 forward pass is {@link CifarNet}'s, to bfloat16's precision, on 256 real test images and a network
 * after 100 float32 training steps: the same log-probabilities within a bound bfloat16's 8-bit significand explains,
 * the same decisions for nearly every image, and float32 gradients on the same parameter arrays pointing the same
 * way. Its output is not float32's bit for bit: the convolutions did run in bfloat16.
 */
class CifarNetBfloat16Test {
    static final int IMAGES = 256;
    static final int TRAINED_STEPS = 100;

    static Pass float32;
    static Pass bfloat16;

    @BeforeAll
    static void bothPassesOnTheSameNetworkAndImages() {
        CifarImages test = RealCifar.data().test();
        CifarImages train = RealCifar.data().train();
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            CifarNet net = CifarNet.create(manager, new SplitMix64(11), Recipe.Initialization.HE);
            Normalization normalization = Normalization.measure(train.pixels(), train.size());
            trainBriefly(net, manager, train, normalization);
            BatchAssembler assembler = new BatchAssembler(normalization, IMAGES, 0, false, 0);
            NDArray images = CifarNet.input(manager, assembler.images(test.pixels(), 0, IMAGES), IMAGES);
            NDArray targets = manager.create(assembler.targets(test.labels(), identity(IMAGES), 0, IMAGES),
                    new Shape(IMAGES, CifarShape.CLASSES), DataType.FLOAT32);
            CifarNetBfloat16 bf16 = CifarNetBfloat16.of(net, manager);
            float32 = Pass.of(net, images, targets, x -> net.forward(x, true));
            bfloat16 = Pass.of(net, images, targets, bf16::forward);
        }
    }

    private static void trainBriefly(CifarNet net, NDManager manager, CifarImages train, Normalization normalization) {
        BatchAssembler assembler = new BatchAssembler(normalization, 128, 4, true, 0.1);
        SgdOptimizer optimizer = new SgdOptimizer(net.parameters(), manager, 0.9, true, 5e-4);
        TrainingStep step = new TrainingStep(train, net, Precision.FLOAT32, manager, assembler, optimizer);
        SplitMix64 random = new SplitMix64(3);
        int[] order = random.permutation(train.size());
        for (int s = 0; s < TRAINED_STEPS; s++) {
            step.run(order, s * 128, 128, random, 0.01);
        }
    }

    @Test
    void logProbabilitiesMatchFloat32sToBfloat16sPrecision() {
        double largest = 0;
        for (int i = 0; i < float32.logProbabilities.length; i++) {
            largest = Math.max(largest, Math.abs(float32.logProbabilities[i] - bfloat16.logProbabilities[i]));
        }
        assertThat(largest).as("largest |difference| of a log-probability").isLessThan(0.1);
        assertThat(largest).as("bfloat16 rounds: the outputs cannot be float32's bit for bit").isGreaterThan(1e-4);
    }

    @Test
    void decidesAsFloat32DoesForNearlyEveryImage() {
        int same = 0;
        for (int n = 0; n < IMAGES; n++) {
            same += argMax(float32.logProbabilities, n) == argMax(bfloat16.logProbabilities, n) ? 1 : 0;
        }
        assertThat(same).as("images whose most likely class is the same").isGreaterThanOrEqualTo(IMAGES * 97 / 100);
    }

    @Test
    void leavesFloat32GradientsOnEveryParameterThatPointWhereFloat32sDo() {
        for (int p = 0; p < float32.gradients.size(); p++) {
            float[] a = float32.gradients.get(p);
            float[] b = bfloat16.gradients.get(p);
            assertThat(b).as("parameter %d's gradient", p).hasSameSizeAs(a);
            assertThat(cosine(a, b)).as("cosine of parameter %d's gradients", p).isGreaterThan(0.99);
            assertThat(norm(b) / norm(a)).as("norm ratio of parameter %d's gradients", p).isBetween(0.97, 1.03);
        }
    }

    @Test
    void theLossOfBothPassesAgreesToBfloat16sPrecision() {
        assertThat(bfloat16.loss).isCloseTo(float32.loss, org.assertj.core.data.Offset.offset(0.005f));
    }

    private static int argMax(float[] logProbabilities, int image) {
        int best = 0;
        for (int k = 1; k < CifarShape.CLASSES; k++) {
            if (logProbabilities[image * CifarShape.CLASSES + k]
                    > logProbabilities[image * CifarShape.CLASSES + best]) {
                best = k;
            }
        }
        return best;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    private static double norm(float[] a) {
        double sum = 0;
        for (float v : a) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** One forward and backward pass: its log-probabilities, loss and every parameter's gradient. */
    record Pass(float[] logProbabilities, float loss, List<float[]> gradients) {
        static Pass of(CifarNet net, NDArray images, NDArray targets, UnaryOperator<NDArray> forward) {
            float[] logProbabilities;
            float loss;
            try (GradientCollector collector = images.getManager().getEngine().newGradientCollector()) {
                NDArray output = forward.apply(images);
                NDArray mean = output.mul(targets).sum(new int[] {1}).mean().neg();
                collector.backward(mean);
                logProbabilities = output.toFloatArray();
                loss = mean.getFloat();
            }
            List<float[]> gradients = new ArrayList<>();
            for (CifarNet.NamedParameter p : net.parameters()) {
                try (NDArray gradient = p.array().getGradient()) {
                    assertThat(gradient.getDataType()).isEqualTo(DataType.FLOAT32);
                    gradients.add(gradient.toFloatArray());
                }
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
            return new Pass(logProbabilities, loss, List.copyOf(gradients));
        }
    }
}

package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class CifarNetTest {

    @Test
    void hasTheSeedsLayersAndExactly537610TrainableParameters() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CifarNet net = CifarNet.create(manager, new SplitMix64(1), Recipe.Initialization.PYTORCH);
            ParameterTable table = net.parameterTable();

            assertThat(table.total()).isEqualTo(537_610L).isEqualTo(CifarNet.PARAMETER_COUNT);
            assertThat(table.rows()).extracting(ParameterTable.Row::name).containsExactly(
                    "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias",
                    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias");
            assertThat(table.rows()).extracting(ParameterTable.Row::shapeText).containsExactly(
                    "[64, 3, 3, 3]", "[64]", "[128, 64, 3, 3]", "[128]", "[256, 128, 3, 3]", "[256]",
                    "[128, 1024]", "[128]", "[256, 128]", "[256]", "[10, 256]", "[10]");
            assertThat(table.format()).contains("conv1.weight").contains("Total Trainable Params: 537,610");
        }
    }

    @Test
    void layerOutputsFollowConvPoolReluThreeTimesThenThreeLinearLayers() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CifarNet net = CifarNet.create(manager, new SplitMix64(1), Recipe.Initialization.PYTORCH);
            assertThat(net.layerOutputShapes(5)).containsExactly(
                    new Shape(5, 64, 30, 30), new Shape(5, 64, 15, 15), new Shape(5, 64, 15, 15),
                    new Shape(5, 128, 13, 13), new Shape(5, 128, 6, 6), new Shape(5, 128, 6, 6),
                    new Shape(5, 256, 4, 4), new Shape(5, 256, 2, 2), new Shape(5, 256, 2, 2),
                    new Shape(5, 1024),
                    new Shape(5, 128), new Shape(5, 128), new Shape(5, 256), new Shape(5, 256),
                    new Shape(5, 10), new Shape(5, 10));
        }
    }

    @Test
    void outputsLogProbabilitiesWhoseExponentialsSumToOne() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CifarNet net = CifarNet.create(manager, new SplitMix64(3), Recipe.Initialization.HE);
            NDArray images = manager.randomNormal(new Shape(4, 3, 32, 32));
            float[] sums = net.forward(images, false).exp().sum(new int[] {1}).toFloatArray();
            for (float sum : sums) {
                assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void aChannelsLastInputGivesWhatTheSameImagesInChannelPlanesGive() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CifarNet net = CifarNet.create(manager, new SplitMix64(5), Recipe.Initialization.PYTORCH);
            int count = 3;
            ByteBuffer channelsLast = ByteBuffer.allocateDirect(count * 3072 * Float.BYTES)
                    .order(ByteOrder.nativeOrder());
            float[] planes = new float[count * 3072];
            SplitMix64 random = new SplitMix64(9);
            for (int n = 0; n < count; n++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        for (int c = 0; c < 3; c++) {
                            float value = (float) (random.nextDouble() * 4 - 2);
                            channelsLast.putFloat(value);
                            planes[n * 3072 + c * 1024 + y * 32 + x] = value;
                        }
                    }
                }
            }
            channelsLast.flip();

            float[] fromChannelsLast = net.forward(CifarNet.input(manager, channelsLast, count), false).toFloatArray();
            float[] fromPlanes = net.forward(manager.create(planes, new Shape(count, 3, 32, 32)), false).toFloatArray();

            assertThat(fromChannelsLast).containsExactly(fromPlanes, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void theSameSeedGivesTheSameWeightsAndAnotherSeedOtherWeights() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (Recipe.Initialization init : Recipe.Initialization.values()) {
                List<float[]> a = CifarNet.create(manager, new SplitMix64(7), init).parameterValues();
                List<float[]> b = CifarNet.create(manager, new SplitMix64(7), init).parameterValues();
                List<float[]> c = CifarNet.create(manager, new SplitMix64(8), init).parameterValues();
                for (int i = 0; i < a.size(); i++) {
                    assertThat(a.get(i)).containsExactly(b.get(i));
                }
                assertThat(a.get(0)).isNotEqualTo(c.get(0));
            }
        }
    }

    @Test
    void pytorchInitializationStaysWithinPlusMinusOneOverRootFanIn() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CifarNet net = CifarNet.create(manager, new SplitMix64(5), Recipe.Initialization.PYTORCH);
            float[] conv1 = net.parameterValues().get(0); // fan_in 27
            float bound = (float) (1 / Math.sqrt(27));
            for (float w : conv1) {
                assertThat(Math.abs(w)).isLessThanOrEqualTo(bound);
            }
        }
    }
}

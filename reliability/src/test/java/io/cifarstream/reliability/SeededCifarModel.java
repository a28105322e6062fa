package io.cifarstream.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.trainer.onnx.OnnxCifarNet;

/**
 * The project's CIFAR-10 CNN as an ONNX file, written by the trainer's own ONNX writer with seeded weights drawn as
 * PyTorch initializes them (uniform in +-1/sqrt(fan_in)). The bad-input suite needs a real model that really runs,
 * not an accurate one: training takes minutes, and what is tested here is where each record goes, not accuracy.
 */
final class SeededCifarModel {

    private static final String[] NAMES = {"conv1", "conv2", "conv3", "fc1", "fc2", "fc3"};
    private static final long[][] WEIGHT_SHAPES = {
        {64, 3, 3, 3}, {128, 64, 3, 3}, {256, 128, 3, 3}, {128, 256 * 2 * 2}, {256, 128}, {10, 256}};

    private SeededCifarModel() {
    }

    /** Writes the model to {@code file}; the same seed writes the same bytes. */
    static Path write(Path file, long seed) {
        Random random = new Random(seed);
        List<OnnxCifarNet.Tensor> parameters = new ArrayList<>();
        for (int layer = 0; layer < NAMES.length; layer++) {
            long[] shape = WEIGHT_SHAPES[layer];
            int size = 1;
            for (long dimension : shape) {
                size *= (int) dimension;
            }
            int fanIn = size / (int) shape[0];
            double bound = 1.0 / Math.sqrt(fanIn);
            parameters.add(new OnnxCifarNet.Tensor(NAMES[layer] + ".weight", shape, uniform(random, size, bound)));
            parameters.add(new OnnxCifarNet.Tensor(NAMES[layer] + ".bias", new long[] {shape[0]},
                    uniform(random, (int) shape[0], bound)));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ModelMetadata.INPUT, ModelMetadata.INPUT_PIXELS_0_255);
        metadata.put(ModelMetadata.OUTPUT, "log_probs");
        metadata.put(ModelMetadata.VERSION, "seeded-" + seed);
        float[] scale = {1 / 255f, 1 / 255f, 1 / 255f};
        float[] shift = {-0.5f, -0.5f, -0.5f};
        ModelProto model = OnnxCifarNet.model(parameters, scale, shift, metadata, "cifar-stream reliability suite", "1");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            OnnxModels.write(model, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the seeded model to " + file, e);
        }
    }

    private static float[] uniform(Random random, int size, double bound) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return values;
    }
}

package io.cifarstream.inference;

import java.util.Optional;

/**
 * How to run a model: where, with how many threads, and — for models that carry no cifar-stream metadata — how
 * their input is normalized and what their output holds.
 *
 * @param device       {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param threads      lanes on the CPU, each running single-threaded ONNX Runtime calls on its own chunk of a batch
 *                     (0 = one per core; see {@link OnnxClassifier})
 * @param inputMean    per-channel mean subtracted from pixels scaled to [0,1] (torchvision's Normalize), when the
 *                     model does not declare its input convention; absent = 0
 * @param inputStd     per-channel standard deviation, likewise; absent = 1
 * @param output       what the output holds when the model does not declare it; absent = logits
 */
public record ModelOptions(String device, int threads, Optional<float[]> inputMean,
        Optional<float[]> inputStd, Optional<OutputKind> output) {

    public ModelOptions {
        inputMean.ifPresent(m -> requireThree(m, "inputMean"));
        inputStd.ifPresent(s -> {
            requireThree(s, "inputStd");
            for (float v : s) {
                if (!(v > 0)) {
                    throw new IllegalArgumentException("inputStd values must be > 0, got " + v);
                }
            }
        });
    }

    /** CPU, all cores, conventions from the model's metadata (else [0,1] pixels and logits). */
    public static ModelOptions defaults() {
        return new ModelOptions("cpu", 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public ModelOptions withDevice(String newDevice) {
        return new ModelOptions(newDevice, threads, inputMean, inputStd, output);
    }

    public ModelOptions withThreads(int newThreads) {
        return new ModelOptions(device, newThreads, inputMean, inputStd, output);
    }

    public ModelOptions withNormalization(float[] mean, float[] std) {
        return new ModelOptions(device, threads, Optional.of(mean), Optional.of(std), output);
    }

    public ModelOptions withOutput(OutputKind kind) {
        return new ModelOptions(device, threads, inputMean, inputStd, Optional.of(kind));
    }

    private static void requireThree(float[] values, String name) {
        if (values.length != 3) {
            throw new IllegalArgumentException(name + " needs 3 values (R,G,B), got " + values.length);
        }
    }
}

package io.cifarstream.cli;

import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OutputKind;

import java.util.List;
import java.util.Optional;

import picocli.CommandLine.Option;

/**
 * The model-running flags shared by every command that runs a classifier ({@code evaluate}, {@code score},
 * {@code bench}), so they are spelled and defaulted the same everywhere.
 */
public final class ModelFlags {
    @Matches(regex = "cpu|cuda(:[0-9]{1,2})?", describe = "cpu, cuda or cuda:N")
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]",
            description = "Where ONNX Runtime runs the model (default: ${DEFAULT-VALUE}). CUDA needs the -Pcuda build.")
    String device;

    @Range(min = 0, max = 256)
    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU lanes: batches are cut into chunks that this many single-threaded ONNX Runtime "
                    + "calls score at once; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Count(value = 3, describe = "R,G,B")
    @Range(min = 0, max = 1)
    @Option(names = "--input-mean", split = ",", paramLabel = "R,G,B",
            description = "For models without cifar-stream metadata: per-channel mean subtracted from pixels "
                    + "scaled to [0,1], like torchvision's Normalize (default 0,0,0).")
    float[] inputMean;

    @Count(value = 3, describe = "R,G,B")
    @Range(min = 0, minExcluded = true, max = 1)
    @Option(names = "--input-std", split = ",", paramLabel = "R,G,B",
            description = "For models without cifar-stream metadata: per-channel std (default 1,1,1).")
    float[] inputStd;

    @Option(names = "--output", paramLabel = "logits|log-probs|probs", converter = OutputKindConverter.class,
            description = "For models without cifar-stream metadata: what the [N,10] output holds (default logits).")
    OutputKind output;

    public ModelOptions toOptions() {
        return new ModelOptions(device, threads, Optional.ofNullable(inputMean),
                Optional.ofNullable(inputStd), Optional.ofNullable(output));
    }

    /** The command-line spelling of {@link OutputKind}. */
    static final class OutputKindConverter implements DeclaredConverter<OutputKind> {
        @Override
        public OutputKind convert(String value) {
            return OutputKind.parse(value);
        }

        @Override
        public String describe() {
            return "logits, log-probs or probs";
        }

        @Override
        public List<String> refused() {
            return List.of("softmax", "");
        }
    }
}

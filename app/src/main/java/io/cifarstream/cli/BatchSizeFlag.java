package io.cifarstream.cli;

import picocli.CommandLine.Option;

/** The {@code --batch-size} of the commands that run a model over a split offline. */
public final class BatchSizeFlag {
    @Range(min = 1, max = 4096)
    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N",
            description = "Images per ONNX Runtime call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** Images per ONNX Runtime call. */
    public int value() {
        return batchSize;
    }
}

package io.cifarstream.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The {@code --model FILE} of the commands that run one ONNX model file ({@code evaluate}, {@code calibrate}, benchmarks). */
public final class ModelFileFlag {
    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The .onnx model.")
    Path model;

    /** The model file. */
    public Path path() {
        return model;
    }
}

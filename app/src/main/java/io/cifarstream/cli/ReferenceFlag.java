package io.cifarstream.cli;

import java.nio.file.Path;

import io.cifarstream.inference.ReferenceFile;
import picocli.CommandLine.Option;

/** {@code --reference} of the benchmarks that need a model's reference file. */
final class ReferenceFlag {
    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--reference", paramLabel = "FILE", description = "The model's reference file, made for its "
            + "version by train or calibrate, not on test images (default: the one beside the model).")
    Path reference;

    /** The reference file: {@code --reference}, else the one beside {@code model}. */
    Path file(Path model) {
        return reference != null ? reference : ReferenceFile.beside(model);
    }

    /** The reference of {@code model}'s version, or a clear error naming the file and the fix. */
    ReferenceFile require(Path model, String version) {
        return ReferenceFile.forVersion(file(model), version).require();
    }
}

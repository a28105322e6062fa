package io.cifarstream.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.bench.EstimatesBenchmark;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cifar-stream bench estimates}: see {@link EstimatesBenchmark}. */
@Command(name = "estimates", mixinStandardHelpOptions = true, sortOptions = false,
        description = "How far the label-free accuracy estimates are from the realized accuracy on the clean test "
                + "split and nine CIFAR-10-C-style shifts of it (JSON)")
final class BenchEstimatesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelFileFlag modelFile;

    @Mixin
    ReferenceFlag reference;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    DataFlag data;

    @Mixin
    BenchCommand.JsonFlag json;

    @Range(min = 1, max = 10_000)
    @Option(names = "--limit", paramLabel = "N", description = "The first N test images only (default: all).")
    Integer limit;

    @Range
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the corruptions' noise (default: ${DEFAULT-VALUE}, as evaluate's).")
    long seed;

    @Override
    public Integer call() throws Exception {
        CifarImages split = data.open().test();
        CifarImages test = limit == null ? split : split.first(limit);
        Path model = modelFile.path();
        Path file = reference.file(model);
        ObjectNode figures;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, modelFlags.toOptions())) {
            ReferenceFile made = reference.require(model, classifier.version());
            figures = EstimatesBenchmark.run(classifier, made, file.toString(), test, EstimatesBenchmark.TARGET_SHIFTS,
                    seed, line -> System.err.println("bench: " + line));
        }
        figures.put("command", "cifar-stream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        json.publish(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        return 0;
    }
}

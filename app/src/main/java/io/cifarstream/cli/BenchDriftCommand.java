package io.cifarstream.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.bench.DriftBenchmark;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.replay.Replay;
import io.cifarstream.replay.ReplayPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cifar-stream bench drift}: see {@link DriftBenchmark}. */
@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = "How many records after a shift the drift checks of the last-N view first go over their "
                + "bounds, for each CIFAR-10-C corruption at severity 3 and each seed, and how often they do on "
                + "clean images (JSON)")
final class BenchDriftCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelFileFlag modelFile;

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--reference", paramLabel = "FILE", description = "The model's reference file (default: the "
            + "one beside the model).")
    Path reference;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    DataFlag data;

    @Mixin
    BenchCommand.JsonFlag json;

    @Range
    @Option(names = "--seeds", split = ",", paramLabel = "S,S,...", defaultValue = "42,43,44",
            description = "Seeds of the replay order and of the corruptions' noise, one stream each "
                    + "(default: ${DEFAULT-VALUE}).")
    long[] seeds;

    @Range(min = 10, max = 5_000)
    @Option(names = "--last", defaultValue = "1000", paramLabel = "N",
            description = "Records in the last-N view (default: ${DEFAULT-VALUE}, the metrics stream's).")
    int lastN;

    @Range(min = 10, max = 9_999)
    @Option(names = "--shift-after", defaultValue = "5000", paramLabel = "N",
            description = "Clean records before the shift, at least --last (default: ${DEFAULT-VALUE}).")
    int shiftAfter;

    @Override
    public Integer call() throws Exception {
        CifarImages test = data.open().test();
        Path model = modelFile.path();
        Path file = reference != null ? reference : ReferenceFile.beside(model);
        ObjectNode figures;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, modelFlags.toOptions())) {
            ReferenceFile made = ReferenceFile.forVersion(file, classifier.version()).require();
            DriftBenchmark bench = new DriftBenchmark(classifier, made.calibration(), test, lastN, shiftAfter,
                    line -> System.err.println("bench: " + line));
            figures = bench.run(Arrays.stream(seeds).boxed().toList(), seed -> Replay.order(test.size(), ReplayPlan.all().withShuffle(seed)),
                    DriftBenchmark.SEVERITY_3);
        }
        figures.put("reference", file.toString());
        figures.put("command", "cifar-stream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        json.publish(figures);
        return 0;
    }
}

package io.cifarstream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.cifarstream.bench.MetricsBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream bench metrics}: see {@link MetricsBenchmark}; a temporary embedded broker, JSON on stdout. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Predictions/s through the metrics topology (embedded broker, exactly once; and "
                + "TopologyTestDriver) and state bytes per view after 10k, 100k and 1M predictions")
final class BenchMetricsCommand implements Callable<Integer> {

    @Range(min = 1)
    @Option(names = "--predictions", defaultValue = "1000000", paramLabel = "N",
            description = "Predictions for the throughput runs (default: ${DEFAULT-VALUE}: long enough for the "
                    + "steady state; a run of a few seconds measures start-up, sketches filling and the last "
                    + "report's delay of up to a second).")
    int predictions;

    @Mixin
    BenchCommand.JsonFlag json;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("metrics-bench");
        MetricsBenchmark.Options defaults = MetricsBenchmark.Options.defaults(work);
        json.publish(new MetricsBenchmark(new MetricsBenchmark.Options(predictions, defaults.stateCheckpoints(), work)).run());
        return 0;
    }
}

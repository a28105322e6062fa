package io.cifarstream.cli;

import io.cifarstream.metricsstream.MetricsBenchmark;
import io.cifarstream.scorer.ScorerBenchmark;
import picocli.CommandLine.Command;

/** {@code cifar-stream bench}: the benchmarks, each printing its figures as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput and latency, printing JSON: `bench scorer`, `bench metrics`",
        subcommands = {ScorerBenchmark.class, MetricsBenchmark.Command.class})
public final class BenchCommand {
}

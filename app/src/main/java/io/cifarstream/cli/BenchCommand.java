package io.cifarstream.cli;

import io.cifarstream.scorer.ScorerBenchmark;
import picocli.CommandLine.Command;

/** {@code cifar-stream bench}: the benchmarks, each printing its figures as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput and latency (JSON): `bench scorer`",
        subcommands = {ScorerBenchmark.class})
public final class BenchCommand {
}

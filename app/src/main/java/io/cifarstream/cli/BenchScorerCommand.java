package io.cifarstream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.cifarstream.bench.JitSettling;
import io.cifarstream.bench.ScorerBenchmark;
import io.cifarstream.dataset.CifarImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream bench scorer}: see {@link ScorerBenchmark}. */
@Command(name = "scorer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark the scorer: raw ONNX Runtime, end-to-end through Kafka, latency under load (JSON)")
final class BenchScorerCommand implements Callable<Integer> {


    @Mixin
    ModelFileFlag modelFile;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    DataFlag data;

    @Range(min = 1, max = 10_000)
    @Option(names = "--images", defaultValue = "10000", paramLabel = "N",
            description = "Test images replayed end to end. Default: ${DEFAULT-VALUE}.")
    int images;

    @Mixin
    BatchingFlags batching;

    @Range(min = 1)
    @Option(names = "--passes", defaultValue = "8", paramLabel = "N",
            description = "Times the images are replayed for the end-to-end run: long enough (80,000 images, ~10 s by "
                    + "default) that a late JIT wave (~1 CPU second after a minute) moves the figure by a few percent. "
                    + "Default: ${DEFAULT-VALUE}.")
    int passes;

    @Range(min = 0)
    @Option(names = "--warmup", defaultValue = "60s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Before the end-to-end run unreported passes (each as long as the measured one), and before "
                    + "the latency run unreported 5 s windows of its stream, run until the JIT compilers settle (under "
                    + JitSettling.SETTLED_PERCENT + "%% of the CPU in two in a row) or this long: the in-process broker "
                    + "keeps them busy for minutes, which a deployed scorer pays once. 0s = one pass, no window. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Range(min = 0, minExcluded = true, max = 1)
    @Option(names = "--load-fraction", defaultValue = "0.5", paramLabel = "F",
            description = "Offered load of the latency run, as a fraction of the end-to-end maximum. Default: ${DEFAULT-VALUE}.")
    double loadFraction;

    @Range(min = 1, max = 3600)
    @Option(names = "--latency-seconds", defaultValue = "15", paramLabel = "S",
            description = "Length of the latency run. Default: ${DEFAULT-VALUE}.")
    int latencySeconds;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--broker-dir", paramLabel = "DIR",
            description = "Where the benchmark's broker keeps its throwaway log: a fresh folder inside DIR, deleted at "
                    + "the end. Default: /dev/shm (memory) when it has 8 GiB free, else the temporary folder. On a disk "
                    + "the kernel writes the log back every 30 s, and every client of the broker stalls meanwhile "
                    + "(measured: a few hundred ms on ext4), which the latency run would count as the scorer's.")
    Path brokerDir;

    @Mixin
    BenchCommand.JsonFlag json;

    @Override
    public Integer call() throws Exception {
        CifarImages test = data.open().test();
        var figures = ScorerBenchmark.run(modelFile.path(), modelFlags.toOptions(), test.first(images), batching.maxBatch(),
                batching.linger(), batching.backlogBatch(), passes, warmup, loadFraction, Duration.ofSeconds(latencySeconds),
                brokerDir != null ? brokerDir : ScorerBenchmark.defaultBrokerLogParent());
        json.publish(figures);
        return 0;
    }
}

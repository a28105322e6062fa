package io.cifarstream.cli;

import io.cifarstream.scorer.ScorerConfig;

import java.time.Duration;

import picocli.CommandLine.Option;

/** {@code --max-batch} and {@code --linger-ms}: how a scorer cuts micro-batches, for {@code score} and {@code bench scorer}. */
public final class BatchingFlags {

    @Range(min = 1, max = 4096)
    @Option(names = "--max-batch", defaultValue = "" + ScorerConfig.DEFAULT_MAX_BATCH, paramLabel = "N",
            description = "Most records per micro-batch (one transaction). Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Range(min = 0, max = 60_000)
    @Option(names = "--linger-ms", defaultValue = "" + ScorerConfig.DEFAULT_LINGER_MS, paramLabel = "MS",
            description = "Longest a micro-batch waits to fill after its first record; also the least time between "
                    + "two transactions under load (after a quiet spell a record is scored at once). "
                    + "Default: ${DEFAULT-VALUE}.")
    long lingerMs;

    int maxBatch() {
        return maxBatch;
    }

    Duration linger() {
        return Duration.ofMillis(lingerMs);
    }
}

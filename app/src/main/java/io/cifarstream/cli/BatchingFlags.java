package io.cifarstream.cli;

import io.cifarstream.scorer.ScorerConfig;

import java.time.Duration;

import picocli.CommandLine.Option;

/**
 * {@code --max-batch}, {@code --linger-ms} and {@code --backlog-batch}: how a scorer cuts micro-batches, for
 * {@code score} and {@code bench scorer}.
 */
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

    @Range(min = 1, max = ScorerConfig.MAX_BACKLOG_BATCH)
    @Option(names = "--backlog-batch", defaultValue = "" + ScorerConfig.DEFAULT_BACKLOG_BATCH, paramLabel = "N",
            description = "Most records per transaction while a backlog lasts (the consumer's lag is at least N "
                    + "records: a replay, a catch-up); the models still take --max-batch at a time. Never fewer "
                    + "than --max-batch. Default: ${DEFAULT-VALUE}.")
    int backlogBatch;

    int maxBatch() {
        return maxBatch;
    }

    Duration linger() {
        return Duration.ofMillis(lingerMs);
    }

    int backlogBatch() {
        return backlogBatch;
    }
}

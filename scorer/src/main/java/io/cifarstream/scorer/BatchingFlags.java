package io.cifarstream.scorer;

import java.time.Duration;

import picocli.CommandLine.Option;

/** {@code --max-batch} and {@code --linger-ms}: how a scorer cuts micro-batches, for {@code score} and {@code bench scorer}. */
public final class BatchingFlags {

    @Option(names = "--max-batch", defaultValue = "" + ScorerConfig.DEFAULT_MAX_BATCH, paramLabel = "N",
            description = "Most records per micro-batch (one transaction). Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--linger-ms", defaultValue = "20", paramLabel = "MS",
            description = "Longest a micro-batch waits to fill while the previous one commits (with no commit in "
                    + "flight a batch is scored at once). Default: ${DEFAULT-VALUE}.")
    long lingerMs;

    int maxBatch() {
        return maxBatch;
    }

    Duration linger() {
        return Duration.ofMillis(lingerMs);
    }
}

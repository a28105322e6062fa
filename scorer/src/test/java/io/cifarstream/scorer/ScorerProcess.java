package io.cifarstream.scorer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.ForeignModel;

/**
 * A scorer alone in its own JVM, for tests that kill it: {@code bootstrap images predictions dead-letters group
 * instance-id model} score a foreign (mean/std 0.5, logits) model in batches of at most 4 with a 5 ms linger, so it is
 * busy when it is killed. SIGTERM closes it cleanly (the open batch is finished) and it says so on stdout.
 */
public final class ScorerProcess {

    private ScorerProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        TopicNames topics = TopicNames.defaults().withImages(args[1]).withPredictions(args[2]).withDeadLetters(args[3]);
        ModelOptions options = new ModelOptions("cpu", 1, Optional.of(ForeignModel.MEAN), Optional.of(ForeignModel.STD),
                Optional.of(OutputKind.LOGITS));
        ScorerConfig config = ScorerConfig.of(KafkaSettings.of(args[0]), List.of(new ModelSpec("foreign", Path.of(args[6]))),
                        options)
                .withTopics(topics).withGroup(args[4]).withInstanceId(args[5]).withBatching(4, Duration.ofMillis(5));
        Scorer scorer = Scorer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            scorer.close();
            System.out.println("Scorer " + scorer.transactionalId() + " stopped: " + scorer.metrics().imagesScored()
                    + " images scored");
        }));
        while (!scorer.awaitStop(Duration.ofSeconds(1))) {
            // the shutdown hook stops the scorer
        }
    }
}

package io.cifarstream.metricsstream;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.cifarstream.console.BearerToken;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.schemas.TopicNames;

/**
 * A metrics stream alone in its own JVM, for tests that kill it: {@code bootstrap predictions labels metrics
 * dead-letters state-dir application-id}, checkpointing every 500 records, its HTTP API on any free port. It runs
 * until the process ends.
 */
public final class MetricsServiceProcess {

    private MetricsServiceProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        TopicNames topics = TopicNames.defaults().withPredictions(args[1]).withLabels(args[2]).withMetrics(args[3])
                .withDeadLetters(args[4]);
        MetricsConfig config = MetricsConfig.defaults(topics).withCheckpointRecords(500);
        MetricsService service = MetricsService.start(new MetricsService.Options(KafkaSettings.of(args[0]), config,
                args[6], Path.of(args[5]), "127.0.0.1", 0, Map.of(), BearerToken.open()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        System.out.println("Metrics stream " + args[6] + " serving at " + service.httpAddress());
        new CountDownLatch(1).await();
    }
}

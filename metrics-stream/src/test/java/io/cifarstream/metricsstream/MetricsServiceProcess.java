package io.cifarstream.metricsstream;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.cifarstream.console.BearerToken;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.schemas.TopicNames;

/**
 * A metrics stream alone in its own JVM, for tests that kill it: {@code bootstrap topic-prefix state-dir
 * application-id [alert-rule ...]} (the project's topic names after the prefix), with {@link #config}, its HTTP API
 * on any free port, printed as "serving at URL". It runs until the process ends.
 */
public final class MetricsServiceProcess {

    private MetricsServiceProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        TopicNames topics = TopicNames.defaults().withPrefix(args[1]);
        List<AlertRule> rules = Arrays.stream(args).skip(4).map(AlertRule::parse).toList();
        MetricsService service = MetricsService.start(new MetricsService.Options(KafkaSettings.of(args[0]),
                config(topics, rules), args[3], Path.of(args[2]), "127.0.0.1", 0, Map.of(), BearerToken.open()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        System.out.println("Metrics stream " + args[3] + " serving at " + service.httpAddress());
        new CountDownLatch(1).await();
    }

    /** The defaults, checkpointing every 500 records, with {@code rules}: what a test restarting it runs too. */
    static MetricsConfig config(TopicNames topics, List<AlertRule> rules) {
        return MetricsConfig.defaults(topics).withCheckpointRecords(500).withAlertRules(rules);
    }
}

package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.broker.KafkaSettings;
import io.cifarstream.broker.TopicSetup;
import io.cifarstream.broker.TopicSpec;
import io.cifarstream.metrics.ConfusionMatrix;
import io.cifarstream.metricsstream.MetricsConfig;
import io.cifarstream.metricsstream.MetricsService;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * The metrics stream ({@code cifar-stream metrics}, exactly_once_v2) killed with SIGKILL at random moments while
 * 10,000 predictions and their labels flow, and started again each time on its state directory, ends with the
 * cumulative confusion matrix of an undisturbed run of the same input: every record counted once.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class MetricsKillTest {

    static final int KILLS = 3;
    static final Pattern API = Pattern.compile("API: (http://\\S+?)/api/models");

    @Test
    void aMetricsStreamKilledThreeTimesEndsWithTheConfusionMatrixOfAnUndisturbedRun(KafkaBroker broker,
            ReliabilityTable table, @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        String prefix = "faults-metrics-" + System.nanoTime() + "-";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        TopicNames undisturbedTopics = new TopicNames(topics.images(), topics.predictions(), topics.labels(),
                prefix + "metrics-undisturbed", prefix + "dead-letters-undisturbed");
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.predictions(), 2), TopicSpec.of(topics.labels(), 2)));
        PredictionFlow flow = new PredictionFlow(CifarTestData.testSplit());
        KillSchedule schedule = KillSchedule.draw("metrics SIGKILL", KILLS, Duration.ofMillis(300), Duration.ofMillis(2500));

        List<Double> restartSeconds = new ArrayList<>();
        ViewReport killedView;
        ViewReport undisturbedView;
        try (MetricsService undisturbed = MetricsService.start(new MetricsService.Options(kafka,
                MetricsConfig.defaults(undisturbedTopics), prefix + "undisturbed", dir.resolve("undisturbed-state"),
                "127.0.0.1", 0, Map.of()))) {
            CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> flow.publish(kafka, topics, 400));
            Path stateDir = dir.resolve("killed-state");
            CliProcess metrics = startMetrics(kafka, topics, prefix + "killed", stateDir, dir, 0);
            try {
                MetricsApi api = awaitCounting(metrics);
                for (int k = 0; k < KILLS; k++) {
                    CliProcess.pause(schedule.delays().get(k));
                    metrics.requireAlive("before kill " + (k + 1));
                    long counted = api.cumulative().map(v -> v.report().count()).orElse(-1L);
                    metrics.kill();
                    long killed = System.nanoTime();
                    System.out.printf("metrics SIGKILL %d with %d records counted (API)%n", k + 1, counted);
                    metrics = startMetrics(kafka, topics, prefix + "killed", stateDir, dir, k + 1);
                    api = awaitCounting(metrics);
                    restartSeconds.add((System.nanoTime() - killed) / 1e9);
                }
                publishing.get(3, TimeUnit.MINUTES);
                CliProcess last = metrics;
                killedView = api.await(count -> count >= flow.size(), flow.size() + " records", Duration.ofMinutes(3),
                        () -> last.requireAlive("while the last records were counted"));
                // Another few snapshot periods: a replayed record would push the count past the input.
                CliProcess.pause(Duration.ofSeconds(2));
                killedView = api.cumulative().orElseThrow();
                metrics.requireAlive("at the end");
            } finally {
                metrics.killIfAlive();
            }
            undisturbedView = new MetricsApi(undisturbed.httpAddress(), PredictionFlow.MODEL)
                    .await(count -> count >= flow.size(), flow.size() + " records", Duration.ofMinutes(2), () -> { });
        }

        ConfusionMatrix killed = killedView.report().confusion();
        ConfusionMatrix expected = undisturbedView.report().confusion();
        long counted = killedView.report().count();
        System.out.printf("metrics SIGKILL: %d kills, from kill to the successor counting again %s s; counted %d%n",
                KILLS, restartSeconds.stream().map(s -> String.format("%.1f", s)).toList(), counted);
        table.record(new ReliabilityTable.Row("metrics", "SIGKILL at random moments while 10,000 predictions flow, "
                + "restarted on its state dir", KILLS, flow.size(), counted, Math.max(0, counted - flow.size()),
                Math.max(0, flow.size() - counted), 0,
                killed.equals(expected) ? "confusion matrix = undisturbed run's" : "confusion matrix DIFFERS"));
        assertThat(counted).isEqualTo(flow.size());
        assertThat(killed.total()).isEqualTo(flow.size());
        assertThat(killed).isEqualTo(expected);
        assertThat(expected).isEqualTo(flow.offline().snapshot().confusion());
    }

    /** Waits for the process's API address and for its first cumulative view: it restored its state and counts. */
    private static MetricsApi awaitCounting(CliProcess metrics) {
        MetricsApi api = new MetricsApi(URI.create(metrics.awaitLog(API, Duration.ofMinutes(1))), PredictionFlow.MODEL);
        api.await(count -> count > 0, "a first count", Duration.ofMinutes(2),
                () -> metrics.requireAlive("before it counted anything"));
        return api;
    }

    static CliProcess startMetrics(KafkaSettings kafka, TopicNames topics, String applicationId, Path stateDir,
            Path logDir, int incarnation) {
        return CliProcess.start(logDir, "metrics-" + incarnation, List.of("metrics",
                "--bootstrap-server", kafka.bootstrapServers(),
                "--predictions-topic", topics.predictions(), "--labels-topic", topics.labels(),
                "--metrics-topic", topics.metrics(), "--dead-letters-topic", topics.deadLetters(),
                "--state-dir", stateDir.toString(), "--http-port", "0", "--application-id", applicationId,
                "--instance-id", "only"));
    }
}

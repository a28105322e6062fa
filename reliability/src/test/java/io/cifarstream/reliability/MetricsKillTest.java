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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
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
 * 10,000 predictions and their labels flow, and started again each time on its state directory, counts every record
 * once. A kill falls once the API's cumulative count reaches a seeded random number ({@link KillCounts}), and the
 * publisher is held back to a little past that number until the replacement counts again, so every kill falls with
 * records still to come, however long a restart takes on a busy machine.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class MetricsKillTest {

    static final int KILLS = 3;
    static final int PER_SECOND = 400;
    /** How far the publisher may run past the next kill's count: about a second of flow, in flight at the kill. */
    static final int HEADROOM = 400;
    static final Pattern API = Pattern.compile("API: (http://\\S+?)/api/models");

    /** What a killed run ended with: its final cumulative view, the count at each kill, each restart's duration. */
    record KilledRun(ViewReport finalView, List<Long> countsAtKill, List<Double> restartSeconds) {

        String killsText() {
            return countsAtKill.stream().map(c -> String.format("%,d", c)).collect(Collectors.joining(" / "));
        }
    }

    @Test
    void aMetricsStreamKilledThreeTimesWhileRecordsFlowEndsWithTheConfusionMatrixOfAnUndisturbedRun(KafkaBroker broker,
            ReliabilityTable table, @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        String prefix = "faults-metrics-" + System.nanoTime() + "-";
        TopicNames topics = createTopics(kafka, prefix);
        TopicNames undisturbedTopics = topics.withMetrics(prefix + "metrics-undisturbed")
                .withDeadLetters(prefix + "dead-letters-undisturbed");
        PredictionFlow flow = new PredictionFlow(CifarTestData.testSplit());
        int size = flow.size();
        KillCounts kills = KillCounts.spread("metrics SIGKILL", KILLS, size / 10, size * 9 / 10, size / 10);

        KilledRun run;
        ViewReport undisturbedView;
        try (MetricsService undisturbed = MetricsService.start(new MetricsService.Options(kafka,
                MetricsConfig.defaults(undisturbedTopics), prefix + "undisturbed", dir.resolve("undisturbed-state"),
                "127.0.0.1", 0, Map.of()))) {
            run = runKilled(kafka, topics, prefix + "killed", flow, kills,
                    k -> k < kills.kills() ? kills.counts().get(k) + HEADROOM : size, dir);
            undisturbedView = new MetricsApi(undisturbed.httpAddress(), PredictionFlow.MODEL)
                    .await(count -> count >= size, size + " records", Duration.ofMinutes(2), () -> { });
        }

        ConfusionMatrix killed = run.finalView().report().confusion();
        ConfusionMatrix expected = undisturbedView.report().confusion();
        long counted = run.finalView().report().count();
        table.record(new ReliabilityTable.Row("metrics", "SIGKILL at random counts while 10,000 predictions flow "
                + "(killed at " + run.killsText() + " counted), restarted on its state dir", KILLS, size, counted,
                Math.max(0, counted - size), Math.max(0, size - counted), 0,
                killed.equals(expected) ? "confusion matrix = undisturbed run's" : "confusion matrix DIFFERS"));
        assertKilledMidFlow(run, kills, size);
        assertThat(counted).isEqualTo(size);
        assertThat(killed.total()).isEqualTo(size);
        assertThat(killed).isEqualTo(expected);
        assertThat(expected).isEqualTo(flow.offline().snapshot().confusion());
    }

    /**
     * Each incarnation is given its own part of the input, published only once it is up, and killed once its count
     * passes a random point inside that part: what every incarnation left half-joined (predictions waiting for labels,
     * labels that came first) is finished by the next, and the last part is counted by an incarnation restored three
     * times.
     */
    @Test
    void aMetricsStreamKilledInsideEachPartOfTheInputItWasGivenCountsEveryRecordOnce(KafkaBroker broker,
            ReliabilityTable table, @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        String prefix = "faults-metrics-parts-" + System.nanoTime() + "-";
        TopicNames topics = createTopics(kafka, prefix);
        PredictionFlow flow = new PredictionFlow(CifarTestData.testSplit());
        int size = flow.size();
        int part = size / (KILLS + 1);
        KillCounts kills = KillCounts.onePerPart("metrics SIGKILL per part", KILLS, part);

        KilledRun run = runKilled(kafka, topics, prefix + "killed", flow, kills,
                k -> k < kills.kills() ? (k + 1) * part : size, dir);

        long counted = run.finalView().report().count();
        ConfusionMatrix expected = flow.offline().snapshot().confusion();
        table.record(new ReliabilityTable.Row("metrics", "one part of 2,500 predictions per incarnation, published once "
                + "it is up, SIGKILL inside the part (at " + run.killsText() + " counted)", KILLS, size, counted,
                Math.max(0, counted - size), Math.max(0, size - counted), 0,
                run.finalView().report().confusion().equals(expected) ? "confusion matrix = offline computation's"
                        : "confusion matrix DIFFERS"));
        assertKilledMidFlow(run, kills, size);
        for (int k = 0; k < KILLS; k++) {
            assertThat(run.countsAtKill().get(k)).as("count at kill %d, inside part %d", k + 1, k + 1)
                    .isLessThanOrEqualTo((long) (k + 1) * part);
        }
        assertThat(counted).isEqualTo(size);
        assertThat(run.finalView().report().confusion()).isEqualTo(expected);
    }

    private static TopicNames createTopics(KafkaSettings kafka, String prefix) {
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.predictions(), 2), TopicSpec.of(topics.labels(), 2)));
        return topics;
    }

    private static void assertKilledMidFlow(KilledRun run, KillCounts kills, int size) {
        assertThat(run.countsAtKill()).hasSize(kills.kills());
        for (int k = 0; k < kills.kills(); k++) {
            assertThat(run.countsAtKill().get(k)).as("count at kill %d", k + 1)
                    .isGreaterThanOrEqualTo(kills.counts().get(k))
                    .isLessThan(size);
        }
    }

    /**
     * Runs {@code metrics} as a child process, kills it with SIGKILL once its count reaches each of {@code kills}, and
     * starts it again on the same state directory. Incarnation {@code k} may see the flow published up to
     * {@code allowance.applyAsInt(k)} records, a limit raised once it counts (or, the first, once it is up).
     */
    private static KilledRun runKilled(KafkaSettings kafka, TopicNames topics, String applicationId, PredictionFlow flow,
            KillCounts kills, IntUnaryOperator allowance, Path dir) throws Exception {
        Path stateDir = dir.resolve("killed-state");
        AtomicInteger allowed = new AtomicInteger(0);
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> flow.publish(kafka, topics, PER_SECOND, allowed::get));
        List<Long> countsAtKill = new ArrayList<>();
        List<Double> restartSeconds = new ArrayList<>();
        CliProcess metrics = startMetrics(kafka, topics, applicationId, stateDir, dir, 0);
        try {
            MetricsApi api = new MetricsApi(URI.create(metrics.awaitLog(API, Duration.ofMinutes(1))), PredictionFlow.MODEL);
            for (int k = 0; k < kills.kills(); k++) {
                allowed.set(allowance.applyAsInt(k));
                int killAt = kills.counts().get(k);
                CliProcess victim = metrics;
                long counted = api.await(count -> count >= killAt, killAt + " records", Duration.ofMinutes(3),
                        () -> victim.requireAlive("before kill " + (killAt))).report().count();
                metrics.kill();
                long killed = System.nanoTime();
                countsAtKill.add(counted);
                metrics = startMetrics(kafka, topics, applicationId, stateDir, dir, k + 1);
                api = awaitCounting(metrics);
                restartSeconds.add((System.nanoTime() - killed) / 1e9);
                System.out.printf("metrics SIGKILL %d with %d records counted (API, kill due at %d); the successor "
                        + "counted again %.1f s later%n", k + 1, counted, killAt, restartSeconds.get(k));
            }
            allowed.set(allowance.applyAsInt(kills.kills()));
            publishing.get(3, TimeUnit.MINUTES);
            CliProcess last = metrics;
            api.await(count -> count >= flow.size(), flow.size() + " records", Duration.ofMinutes(3),
                    () -> last.requireAlive("while the last records were counted"));
            // Another few snapshot periods: a replayed record would push the count past the input.
            CliProcess.pause(Duration.ofSeconds(2));
            ViewReport finalView = api.cumulative().orElseThrow();
            metrics.requireAlive("at the end");
            System.out.printf("metrics SIGKILL: killed at %s counted; from kill to the successor counting again %s s;"
                    + " counted %d%n", countsAtKill, restartSeconds.stream().map(s -> String.format("%.1f", s)).toList(),
                    finalView.report().count());
            return new KilledRun(finalView, countsAtKill, restartSeconds);
        } finally {
            allowed.set(Integer.MAX_VALUE); // a failed run must not leave the publisher waiting
            metrics.killIfAlive();
        }
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

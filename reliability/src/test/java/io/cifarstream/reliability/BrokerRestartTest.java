package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;

/**
 * The broker stopped and started again (same port, same data directory) in the middle of a 10,000-image replay: the
 * replay producer, the scorer and the metrics stream, each in its own JVM, ride it out on their own, and the end
 * state is exact: one committed prediction per image, every one counted once by the metrics stream.
 */
@ExtendWith(ReliabilityTableExtension.class)
class BrokerRestartTest {

    /** How long the broker stays down; {@code -Dreliability.broker-downtime-s=N} tries other outages. */
    static final Duration DOWNTIME = Duration.ofSeconds(Long.getLong("reliability.broker-downtime-s", 5));

    @Test
    void replayScorerAndMetricsRideOutABrokerRestartAndEndExactlyOnce(ReliabilityTable table, @TempDir Path dir)
            throws Exception {
        CifarImages images = CifarTestData.testSplit();
        Set<String> expected = IntStream.range(0, images.size()).mapToObj(images::id).collect(Collectors.toSet());
        long seed = KillCounts.configuredSeed();
        int stopAt = 1500 + new Random(seed).nextInt(2500);
        System.out.printf("broker restart: -D%s=%d stops the broker at %d committed predictions for %d s%n",
                KillCounts.SEED_PROPERTY, seed, stopAt, DOWNTIME.toSeconds());

        try (RestartableBroker broker = new RestartableBroker(dir.resolve("kafka-data"))) {
            broker.start();
            KafkaSettings kafka = broker.settings();
            TopicNames topics = TopicNames.defaults().withPrefix("faults-broker-");
            new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.images(), 4), TopicSpec.of(topics.labels(), 4),
                    TopicSpec.of(topics.predictions(), 4), TopicSpec.of(topics.deadLetters(), 4),
                    TopicSpec.of(topics.metrics(), 1)));
            CliProcess scorer = ScorerKillTest.startScorer(kafka, topics, ScorerKillTest.foreignModel(dir), dir, 0);
            CliProcess metrics = MetricsKillTest.startMetrics(kafka, topics, "faults-broker-metrics",
                    dir.resolve("metrics-state"), dir, 0);
            CliProcess replay = null;
            try (CommittedKeys committed = new CommittedKeys(kafka, topics.predictions())) {
                scorer.awaitLog(Pattern.compile("Stop: Ctrl-C"), Duration.ofMinutes(1));
                MetricsApi api = new MetricsApi(URI.create(metrics.awaitLog(MetricsKillTest.API, Duration.ofMinutes(1))),
                        "foreign");
                replay = CliProcess.start(dir, "replay", List.of("replay", "--split", "test", "--rate", "700",
                        "--bootstrap-server", kafka.bootstrapServers(), "--images-topic", topics.images(),
                        "--labels-topic", topics.labels(), "--partitions", "4"));
                List<CliProcess> all = List.of(scorer, metrics);
                CliProcess replaying = replay;
                Runnable running = () -> all.forEach(p -> p.requireAlive("during the broker restart experiment"));

                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (committed.poll(Duration.ofMillis(100)) < stopAt) {
                    running.run();
                    replaying.requireAlive("before the broker stopped");
                    assertThat(System.nanoTime()).as("time out waiting for %d predictions", stopAt).isLessThan(deadline);
                }
                broker.stop();
                System.out.printf("broker restart: stopped at %d committed predictions%n", committed.records());
                CliProcess.pause(DOWNTIME);
                broker.start();
                long restarted = System.nanoTime();
                long before = committed.readToEnd(Duration.ofMinutes(1)).records();
                while (committed.poll(Duration.ofMillis(100)) <= before) {
                    running.run();
                }
                double scorerBack = (System.nanoTime() - restarted) / 1e9;

                int replayExit = replay.awaitExit(Duration.ofMinutes(3));
                assertThat(replayExit).as("replay exit code; log:\n%s", replay.log()).isZero();
                deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (committed.distinct() < expected.size() && System.nanoTime() < deadline) {
                    committed.poll(Duration.ofMillis(200));
                    running.run();
                }
                ViewReport view = api.await(count -> count >= expected.size(), expected.size() + " records",
                        Duration.ofMinutes(3), running);
                CliProcess.pause(Duration.ofSeconds(2)); // a few more snapshots: a replayed record would show now
                long counted = api.cumulative().orElseThrow().report().count();
                running.run();
                System.out.printf("broker restart: scorer committing again %.1f s after the broker was back; "
                        + "metrics counted %d (confusion total %d)%n", scorerBack, counted, view.report().confusion().total());

                try (CommittedKeys end = new CommittedKeys(kafka, topics.predictions()).readToEnd(Duration.ofMinutes(1))) {
                    boolean exact = end.records() == expected.size() && end.missing(expected) == 0
                            && counted == expected.size();
                    table.record(new ReliabilityTable.Row("broker", "stopped for " + DOWNTIME.toSeconds() + " s and "
                            + "restarted (same port and data dir) mid-replay; replay, scorer, metrics keep running", 1,
                            expected.size(), end.distinct(), end.duplicates(), end.missing(expected), 0,
                            exact ? "all recovered; predictions exactly once; metrics count " + counted
                                    : "NOT exact: metrics count " + counted));
                    assertThat(end.missing(expected)).as("images without a committed prediction").isZero();
                    assertThat(end.duplicates()).as("images with more than one committed prediction").isZero();
                    assertThat(counted).as("records the metrics stream counted").isEqualTo(expected.size());
                }
                assertThat(scorer.log()).doesNotContain("Scorer only stopped", "cannot go on");
                // The clients retry in silence; our own lines say when the outage began and ended.
                for (CliProcess process : List.of(scorer, metrics)) {
                    assertThat(process.log()).as(process.name() + " log")
                            .containsPattern("lost every connection to Kafka at " + Pattern.quote(kafka.bootstrapServers()))
                            .containsPattern("connected to Kafka at " + Pattern.quote(kafka.bootstrapServers())
                                    + " again after \\d+\\.\\d s");
                }
            } finally {
                if (replay != null) {
                    replay.killIfAlive();
                }
                scorer.killIfAlive();
                metrics.killIfAlive();
            }
        }
    }
}

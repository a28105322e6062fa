package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The metrics app stopped mid-stream (killed with SIGKILL, no clean commit; or closed) and started again on a fresh
 * state directory: it restores from the changelogs and ends with every input counted exactly once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class RestartBrokerTest {

    private static final int TOTAL = 6_000;

    @TempDir
    Path work;

    @Test
    void killedMidStreamAndRestartedOnAFreshStateDirCountsEveryRecordOnce(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        MetricsService.Options options = MetricsServiceBrokerTest.options(broker, fixture.topics, work.resolve("state-2"));
        fixture.produce(broker.settings(), 0, TOTAL / 2);

        Process child = startChild(broker, fixture, options.applicationId());
        try {
            long seen = awaitCumulativeSnapshot(broker, fixture, Duration.ofMinutes(2));
            assertThat(seen).as("killed mid-stream, after some records were counted").isPositive();
            fixture.produce(broker.settings(), TOTAL / 2, TOTAL);
        } finally {
            child.destroyForcibly().waitFor();
        }

        try (MetricsService restarted = MetricsService.start(options)) {
            ViewReport live = BrokerFixture.awaitCumulative(restarted.httpAddress(), TOTAL, Duration.ofMinutes(3));
            ClassificationReport expected = fixture.offline(TOTAL).snapshot();
            assertThat(live.report().confusion()).isEqualTo(expected.confusion());
            assertThat(live.report().aucMacro()).isCloseTo(expected.aucMacro(), within(1e-9));
            // A few more snapshot periods: the count must stay at the input count (nothing replayed twice).
            Thread.sleep(1000);
            assertThat(BrokerFixture.awaitCumulative(restarted.httpAddress(), TOTAL, Duration.ofSeconds(5)).report().count())
                    .isEqualTo(TOTAL);
        }
    }

    @Test
    void closedMidStreamAndRestartedOnAFreshStateDirRestoresFromTheChangelogs(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        fixture.produce(broker.settings(), 0, TOTAL / 2);
        try (MetricsService first = MetricsService.start(MetricsServiceBrokerTest.options(broker, fixture.topics, work.resolve("a")))) {
            BrokerFixture.awaitCumulative(first.httpAddress(), TOTAL / 2, Duration.ofMinutes(2));
        }
        fixture.produce(broker.settings(), TOTAL / 2, TOTAL);
        try (MetricsService second = MetricsService.start(MetricsServiceBrokerTest.options(broker, fixture.topics, work.resolve("b")))) {
            ViewReport live = BrokerFixture.awaitCumulative(second.httpAddress(), TOTAL, Duration.ofMinutes(2));
            assertThat(live.report().confusion()).isEqualTo(fixture.offline(TOTAL).snapshot().confusion());
        }
    }

    private Process startChild(KafkaBroker broker, BrokerFixture fixture, String applicationId) throws Exception {
        Path log = Files.createTempFile(work, "child", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MetricsServiceProcess.class.getName(),
                broker.bootstrapServers(), fixture.prefix, work.resolve("state-1").toString(), applicationId));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The count of the first committed cumulative snapshot on the metrics topic. */
    private static long awaitCumulativeSnapshot(KafkaBroker broker, BrokerFixture fixture, Duration timeout) {
        try (KafkaConsumer<String, MetricsSnapshot> consumer = new KafkaConsumer<>(
                broker.settings().consumer("restart-test-" + UUID.randomUUID()), new StringDeserializer(),
                AvroSerde.metricsSnapshots().deserializer())) {
            consumer.subscribe(List.of(fixture.topics.metrics()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, MetricsSnapshot> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().getView() == MetricsView.CUMULATIVE) {
                        return record.value().getCount();
                    }
                }
            }
        }
        throw new AssertionError("the metrics app emitted no cumulative snapshot within " + timeout);
    }
}

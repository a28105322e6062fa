package io.cifarstream.metricsstream;

import io.cifarstream.console.BearerToken;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.schemas.Alert;
import io.cifarstream.schemas.AlertState;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cifarstream.metricsstream.TopologyHarness.confident;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts end to end on a real broker: a rule on the estimated accuracy of the last 1,000 predictions fires while
 * the model's confidence is low; the metrics stream is killed (SIGKILL, no clean commit) after the alert went out;
 * confident predictions follow and a restarted stream, restored from the changelogs, resolves it. The alerts topic
 * (read committed) holds exactly one FIRING and one RESOLVED, and /metrics shows the rule's state.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AlertsBrokerTest {

    /**
     * Fires and resolves on one evaluation: a view is evaluated once per report it changed in, and a burst of records
     * (or a restored backlog) may land in a single report, so a count of evaluations would make this test depend on
     * timing. Hysteresis counts are specified by AlertsTest, where the reports are driven by hand.
     */
    private static final String RULE = "estimate-low: estimated_accuracy in last < 0.5";
    private static final Pattern ADDRESS = Pattern.compile("serving at (http://\\S+)");

    @TempDir
    Path work;

    private final Calibration reference = TopologyHarness.calibratedReference();
    private final Instant origin = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    @Test
    void anAlertFiresAndResolvesExactlyOnceAcrossAKilledMetricsStream(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        String applicationId = fixture.prefix + "app";
        produceReference(broker, fixture);

        Process child = startChild(broker, fixture, applicationId);
        List<Alert> seen = new ArrayList<>();
        try (KafkaConsumer<String, Alert> alerts = alertConsumer(broker, fixture)) {
            try {
                URI api = childAddress();
                awaitText(api.resolve("/metrics"), "cifar_stream_references_read_total 1", Duration.ofMinutes(2));
                producePredictions(broker, fixture, 0, 1_500, 0.15);
                awaitAlerts(alerts, seen, 1, Duration.ofMinutes(2));
                assertThat(seen).extracting(Alert::getState).containsExactly(AlertState.FIRING);
                awaitText(api.resolve("/metrics"), "cifar_alert_firing{model=\"cifar-cnn\",rule=\"estimate-low\","
                        + "view=\"last\",metric=\"estimated_accuracy\"} 1", Duration.ofSeconds(30));
            } finally {
                child.destroyForcibly().waitFor();
            }
            producePredictions(broker, fixture, 1_500, 3_000, 0.999999);

            MetricsService.Options options = new MetricsService.Options(broker.settings(),
                    MetricsServiceProcess.config(fixture.topics, List.of(AlertRule.parse(RULE))), applicationId,
                    work.resolve("state-2"), "127.0.0.1", 0, Map.of(), BearerToken.open());
            try (MetricsService restarted = MetricsService.start(options)) {
                // The killed instance holds its tasks until its session times out (45 s), then the changelogs restore.
                awaitAlerts(alerts, seen, 2, Duration.ofMinutes(5));
                awaitText(restarted.httpAddress().resolve("/metrics"), "cifar_alert_firing{model=\"cifar-cnn\","
                        + "rule=\"estimate-low\",view=\"last\",metric=\"estimated_accuracy\"} 0", Duration.ofSeconds(30));
                poll(alerts, seen, Duration.ofSeconds(5)); // a few more evaluations: nothing more may come
            }
        }
        assertThat(seen).extracting(Alert::getRule, Alert::getState).containsExactly(
                org.assertj.core.groups.Tuple.tuple("estimate-low", AlertState.FIRING),
                org.assertj.core.groups.Tuple.tuple("estimate-low", AlertState.RESOLVED));
        assertThat(seen.get(0).getValue()).isLessThan(0.5);
        assertThat(seen.get(1).getValue()).isGreaterThanOrEqualTo(0.5);
    }

    private void produceReference(KafkaBroker broker, BrokerFixture fixture) {
        try (KafkaProducer<String, ModelReference> producer = new KafkaProducer<>(broker.settings().producer(),
                new StringSerializer(), AvroSerde.modelReferences().serializer())) {
            producer.send(new ProducerRecord<>(fixture.topics.references(), BrokerFixture.MODEL,
                    TopologyHarness.reference(BrokerFixture.MODEL, "v1", reference)));
        }
    }

    /** Unlabelled predictions of images [from, to) whose top class has probability {@code q}. */
    private void producePredictions(KafkaBroker broker, BrokerFixture fixture, int from, int to, double q) {
        try (KafkaProducer<String, Prediction> producer = new KafkaProducer<>(broker.settings().producer(),
                new StringSerializer(), AvroSerde.predictions().serializer())) {
            for (int i = from; i < to; i++) {
                Instant time = origin.plusMillis(10L * i);
                String image = fixture.images.id(i);
                producer.send(new ProducerRecord<>(fixture.topics.predictions(), null, time.toEpochMilli(), image,
                        TopologyHarness.prediction(BrokerFixture.MODEL, image, confident(i % 10, q), null, time)));
            }
        }
    }

    private Process startChild(KafkaBroker broker, BrokerFixture fixture, String applicationId) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MetricsServiceProcess.class.getName(),
                broker.bootstrapServers(), fixture.prefix, work.resolve("state-1").toString(), applicationId, RULE);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile())
                .start();
    }

    private URI childAddress() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = ADDRESS.matcher(Files.readString(work.resolve("child.log")));
            if (m.find()) {
                return URI.create(m.group(1));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the metrics stream never said where it serves: " + Files.readString(work.resolve("child.log")));
    }

    private static void awaitText(URI uri, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            try {
                body = BrokerFixture.get(uri);
                if (body.contains(text)) {
                    return;
                }
            } catch (java.io.IOException e) {
                body = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(uri + " never showed '" + text + "' within " + timeout + "; last:\n" + body);
    }

    private static KafkaConsumer<String, Alert> alertConsumer(KafkaBroker broker, BrokerFixture fixture) {
        KafkaConsumer<String, Alert> consumer = new KafkaConsumer<>(broker.settings().consumer("alerts-" + UUID.randomUUID()),
                new StringDeserializer(), AvroSerde.alerts().deserializer());
        consumer.subscribe(List.of(fixture.topics.alerts()));
        return consumer;
    }

    /** Polls the alerts topic into {@code seen} until it holds {@code count} alerts; fails if more come, or fewer in time. */
    private static void awaitAlerts(KafkaConsumer<String, Alert> consumer, List<Alert> seen, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < count && System.nanoTime() < deadline) {
            poll(consumer, seen, Duration.ofMillis(200));
        }
        assertThat(seen).as("alerts on the topic").hasSize(count);
    }

    private static void poll(KafkaConsumer<String, Alert> consumer, List<Alert> seen, Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        do {
            for (ConsumerRecord<String, Alert> record : consumer.poll(Duration.ofMillis(200))) {
                seen.add(record.value());
            }
        } while (System.nanoTime() < deadline);
    }
}

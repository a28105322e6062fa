package io.cifarstream.metricsstream;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.console.BearerToken;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of one metrics application (same application id, own state directories) on a real broker, input
 * topics of four partitions and eight models, behind a bearer token: each model's reports live on one instance,
 * yet either instance's API lists every model and serves every model's report, forwarding to the owner with the
 * token. An owner that does not answer gives a 503 naming it; once it has left the group, the other instance
 * takes its models over.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MultiInstanceApiTest {

    private static final int PARTITIONS = 4;
    private static final int IMAGES = 200;
    private static final List<String> MODELS = IntStream.range(0, 8).mapToObj(i -> "model-" + (char) ('a' + i)).toList();
    private static final BearerToken TOKEN = BearerToken.of("shared-between-instances");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path work;

    @Test
    void eitherInstanceServesEveryModelAndTheOwnersLeavingHandsItsModelsOver(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        new TopicSetup(broker.settings()).ensure(List.of(TopicSpec.of(fixture.topics.predictions(), PARTITIONS),
                TopicSpec.of(fixture.topics.labels(), PARTITIONS)));
        MetricsService.Options a = MetricsServiceBrokerTest.options(broker, fixture.topics, work.resolve("state-a"))
                .withHttpToken(TOKEN);
        MetricsService.Options b = MetricsServiceBrokerTest.options(broker, fixture.topics, work.resolve("state-b"))
                .withHttpToken(TOKEN);
        try (MetricsService first = MetricsService.start(a)) {
            URI apiA = first.httpAddress();
            List<String> ofB;
            try (MetricsService second = MetricsService.start(b)) {
                URI apiB = second.httpAddress();
                assertThat(first.awaitRunning(TIMEOUT) && second.awaitRunning(TIMEOUT)).as("both instances running").isTrue();
                produce(broker, fixture);
                for (String model : MODELS) {
                    BrokerFixture.awaitCumulative(apiA, TOKEN, model, IMAGES, TIMEOUT);
                }

                List<String> ofA = models(apiA.resolve("/api/models?local=true"));
                ofB = models(apiB.resolve("/api/models?local=true"));
                assertThat(ofA).as("models owned by instance a").isNotEmpty();
                assertThat(ofB).as("models owned by instance b").isNotEmpty();
                Set<String> union = new HashSet<>(ofA);
                union.addAll(ofB);
                assertThat(union).as("each model owned once").hasSize(ofA.size() + ofB.size())
                        .containsExactlyInAnyOrderElementsOf(MODELS);

                for (URI api : List.of(apiA, apiB)) {
                    assertThat(models(api.resolve("/api/models"))).as("models listed by " + api).containsExactlyElementsOf(MODELS);
                }
                for (String model : MODELS) {
                    for (String view : List.of("cumulative", "window", "last")) {
                        HttpResponse<String> fromA = BrokerFixture.get(apiA.resolve("/api/models/" + model + "?view=" + view), TOKEN);
                        HttpResponse<String> fromB = BrokerFixture.get(apiB.resolve("/api/models/" + model + "?view=" + view), TOKEN);
                        assertThat(fromA.statusCode()).as(model + " " + view + " from a").isEqualTo(200);
                        assertThat(fromB.statusCode()).as(model + " " + view + " from b").isEqualTo(200);
                        assertThat(fromB.body()).as("the owner's report, whoever is asked").isEqualTo(fromA.body());
                        ViewReport report = ViewReport.fromJson(fromA.body());
                        assertThat(report.modelId()).isEqualTo(model);
                    }
                    assertThat(ViewReport.fromJson(BrokerFixture.get(apiB.resolve("/api/models/" + model), TOKEN).body())
                            .report().count()).isEqualTo(IMAGES);
                }
                assertThat(BrokerFixture.get(apiB.resolve("/api/models/" + ofA.get(0)), BearerToken.open()).statusCode())
                        .as("without the token").isEqualTo(401);
                assertThat(BrokerFixture.get(apiA.resolve("/api/models/no-such-model"), TOKEN).statusCode()).isEqualTo(404);

                // b's streams go on, its HTTP server stops: a cannot reach the owner of b's models.
                second.http().close();
                HttpResponse<String> unreachable = BrokerFixture.get(apiA.resolve("/api/models/" + ofB.get(0)), TOKEN);
                assertThat(unreachable.statusCode()).isEqualTo(503);
                assertThat(unreachable.headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(BrokerFixture.json().readTree(unreachable.body()).get("error").asText())
                        .contains(apiB.getHost() + ":" + apiB.getPort()).contains("does not answer").contains("retry");
                assertThat(BrokerFixture.get(apiA.resolve("/api/models"), TOKEN).statusCode()).isEqualTo(503);
            }
            // b left the group: a restores b's models from the changelogs and serves them itself. A report of one of
            // them can come from a standby copy before the group has moved its task, so a's own list is awaited.
            for (String model : ofB) {
                BrokerFixture.awaitCumulative(apiA, TOKEN, model, IMAGES, TIMEOUT);
            }
            assertThat(awaitLocalModels(apiA, MODELS.size())).containsExactlyElementsOf(MODELS);
        }
    }

    /** Every model scores the same images; even ones carry their label, odd ones get it on the labels topic. */
    private static void produce(KafkaBroker broker, BrokerFixture fixture) {
        Instant origin = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (KafkaProducer<String, Prediction> predictions = new KafkaProducer<>(broker.settings().producer(),
                new StringSerializer(), AvroSerde.predictions().serializer());
             KafkaProducer<String, Label> labels = new KafkaProducer<>(broker.settings().producer(), new StringSerializer(),
                     AvroSerde.labels().serializer())) {
            for (int i = 0; i < IMAGES; i++) {
                String image = fixture.images.id(i);
                int label = fixture.images.label(i);
                Instant time = origin.plusMillis(10L * i);
                for (int m = 0; m < MODELS.size(); m++) {
                    predictions.send(new ProducerRecord<>(fixture.topics.predictions(), null, time.toEpochMilli(), image,
                            fixture.scores.prediction(MODELS.get(m), image, m * 100_000L + i, label, i % 2 == 0, time)));
                }
            }
            predictions.flush();
            for (int i = 1; i < IMAGES; i += 2) {
                Instant time = origin.plusMillis(10L * i + 500);
                labels.send(new ProducerRecord<>(fixture.topics.labels(), null, time.toEpochMilli(), fixture.images.id(i),
                        Label.newBuilder().setImageId(fixture.images.id(i)).setLabel(fixture.images.label(i)).setLabelTime(time).build()));
            }
        }
    }

    /** This instance's own models once it has {@code count} of them, or what it has after {@link #TIMEOUT}. */
    private static List<String> awaitLocalModels(URI api, int count) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> local = models(api.resolve("/api/models?local=true"));
        while (local.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
            local = models(api.resolve("/api/models?local=true"));
        }
        return local;
    }

    private static List<String> models(URI uri) throws Exception {
        HttpResponse<String> response = BrokerFixture.get(uri, TOKEN);
        assertThat(response.statusCode()).as("GET " + uri + ": " + response.body()).isEqualTo(200);
        return new ArrayList<>(BrokerFixture.json().readValue(response.body(), new TypeReference<List<String>>() { }));
    }
}

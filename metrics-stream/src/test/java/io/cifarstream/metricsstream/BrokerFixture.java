package io.cifarstream.metricsstream;

import io.cifarstream.testkit.SyntheticPredictions;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.console.BearerToken;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Real-broker test inputs: the CIFAR-10 test split's ids and true labels with {@link SyntheticPredictions}
 * (even indexes carry their label, odd ones get it from the labels topic afterwards), the offline accumulator
 * of the same records, and polling of the HTTP API.
 */
final class BrokerFixture {

    static final String MODEL = "cifar-cnn";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Keeps this fixture's topics apart from every other test's. */
    final String prefix = "mstream-" + UUID.randomUUID() + "-";
    final TopicNames topics = TopicNames.defaults().withPrefix(prefix);
    final SyntheticPredictions scores = new SyntheticPredictions(7);
    final CifarImages images;
    /** Near now: a broker deletes log segments whose record timestamps are older than its retention (7 days). */
    private final Instant origin = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    BrokerFixture(CifarImages images) {
        this.images = images;
    }

    /** Produces predictions of images [from, to), then the labels of the odd ones, and flushes. */
    void produce(KafkaSettings kafka, int from, int to) {
        try (KafkaProducer<String, Prediction> predictions = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                AvroSerde.predictions().serializer());
             KafkaProducer<String, Label> labels = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                     AvroSerde.labels().serializer())) {
            Instant start = origin;
            for (int i = from; i < to; i++) {
                Instant time = start.plusMillis(10L * i);
                predictions.send(new ProducerRecord<>(topics.predictions(), null, time.toEpochMilli(), images.id(i),
                        scores.prediction(MODEL, images.id(i), i, images.label(i), i % 2 == 0, time)));
            }
            predictions.flush();
            for (int i = from; i < to; i++) {
                if (i % 2 == 1) {
                    Instant time = start.plusMillis(10L * i + 500);
                    labels.send(new ProducerRecord<>(topics.labels(), null, time.toEpochMilli(), images.id(i),
                            Label.newBuilder().setImageId(images.id(i)).setLabel(images.label(i)).setLabelTime(time).build()));
                }
            }
        }
    }

    /** Publishes {@code reference} as the model's reference for the predictions' version, as a scorer does. */
    void produceReference(KafkaSettings kafka, Calibration reference) {
        try (KafkaProducer<String, ModelReference> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                AvroSerde.modelReferences().serializer())) {
            producer.send(new ProducerRecord<>(topics.references(), null, origin.toEpochMilli(), MODEL,
                    scores.modelReference(MODEL, reference, origin)));
        }
    }

    /** What evaluate computes offline over the first {@code n} records. */
    ClassificationAccumulator offline(int n) {
        ClassificationAccumulator accumulator = new ClassificationAccumulator(10);
        for (int i = 0; i < n; i++) {
            accumulator.add(images.label(i), scores.logProbs(i, images.label(i)));
        }
        return accumulator;
    }

    /** Polls {@code GET /api/models/{MODEL}} until its count is {@code count}; fails after {@code timeout}. */
    static ViewReport awaitCumulative(URI api, long count, Duration timeout) throws IOException, InterruptedException {
        return awaitCumulative(api, BearerToken.open(), MODEL, count, timeout);
    }

    /** Polls {@code GET /api/models/{model}}, with the token, until its count is {@code count}; fails after {@code timeout}. */
    static ViewReport awaitCumulative(URI api, BearerToken token, String model, long count, Duration timeout)
            throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = client.send(token.authorize(HttpRequest.newBuilder(
                    api.resolve("/api/models/" + model + "?view=cumulative"))).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                ViewReport report = ViewReport.fromJson(response.body());
                seen = report.report().count();
                if (seen == count) {
                    return report;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the API never showed " + count + " records of " + model + " within " + timeout
                + " (last seen: " + seen + ")");
    }

    static String get(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** GET with the token (none when open). */
    static HttpResponse<String> get(URI uri, BearerToken token) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(token.authorize(HttpRequest.newBuilder(uri)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int status(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static ObjectMapper json() {
        return JSON;
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.metrics.ReferenceSet;
import io.cifarstream.schemas.Alert;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.Properties;

/**
 * The metrics topology in a {@link TopologyTestDriver}, with the project's serdes: pipe predictions, labels or
 * raw bytes in, read snapshots, dead letters and the reports the HTTP API serves. Closing it closes the driver.
 */
final class TopologyHarness implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");

    final MetricsConfig config;
    final StreamCounters counters = new StreamCounters();
    final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> predictions;
    private final TestInputTopic<byte[], byte[]> labels;
    private final TestInputTopic<byte[], byte[]> references;
    private final TestOutputTopic<String, MetricsSnapshot> metrics;
    private final TestOutputTopic<String, Alert> alerts;
    private final TestOutputTopic<byte[], DeadLetter> deadLetters;

    TopologyHarness(MetricsConfig config, Path stateDir) {
        this.config = config;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(MetricsTopology.build(config, counters), props, T0);
        TopicNames topics = config.topics();
        predictions = driver.createInputTopic(topics.predictions(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        labels = driver.createInputTopic(topics.labels(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        references = driver.createInputTopic(topics.references(), Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        metrics = driver.createOutputTopic(topics.metrics(), Serdes.String().deserializer(),
                AvroSerde.metricsSnapshots().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), Serdes.ByteArray().deserializer(),
                AvroSerde.deadLetters().deserializer());
        alerts = driver.createOutputTopic(topics.alerts(), Serdes.String().deserializer(), AvroSerde.alerts().deserializer());
    }

    /** A config with the given windows and last N, labels waiting 1 minute, one snapshot a second. */
    static MetricsConfig config(Duration window, Duration advance, Duration grace, int lastN) {
        return MetricsConfig.defaults(TopicNames.defaults()).withWindow(window, advance, grace).withLastN(lastN)
                .withLabelWait(Duration.ofMinutes(1));
    }

    /** A log-softmax output whose top class {@code top} has probability {@code q}, the others (1 - q) / 9 each. */
    static float[] confident(int top, double q) {
        float[] logProbs = new float[10];
        Arrays.fill(logProbs, (float) Math.log((1 - q) / 9));
        logProbs[top] = (float) Math.log(q);
        return logProbs;
    }

    /** A prediction of model version "v1", without image statistics. */
    static Prediction prediction(String model, String image, float[] logProbs, Integer label, Instant eventTime) {
        List<Float> values = new ArrayList<>();
        int argmax = 0;
        for (int k = 0; k < logProbs.length; k++) {
            values.add(logProbs[k]);
            if (logProbs[k] > logProbs[argmax]) {
                argmax = k;
            }
        }
        return Prediction.newBuilder().setImageId(image).setModelId(model).setModelVersion("v1").setLogProbs(values)
                .setPredictedClass(argmax).setLabel(label).setEventTime(eventTime).setScoredTime(eventTime)
                .setScoringLatencyMicros(1000).build();
    }

    /** Pipes a prediction with arrival (record) time = its event time. */
    void send(Prediction prediction) {
        send(prediction, prediction.getEventTime());
    }

    void send(Prediction prediction, Instant arrival) {
        sendPredictionBytes(prediction.getImageId(), AvroSerde.predictions().serializer().serialize("p", prediction), arrival);
    }

    void sendPredictionBytes(String key, byte[] value, Instant arrival) {
        predictions.pipeInput(key.getBytes(StandardCharsets.UTF_8), value, arrival);
    }

    void sendLabel(String image, int label, Instant arrival) {
        Label value = Label.newBuilder().setImageId(image).setLabel(label).setLabelTime(arrival).build();
        sendLabelBytes(image, AvroSerde.labels().serializer().serialize("l", value), arrival);
    }

    void sendLabelBytes(String key, byte[] value, Instant arrival) {
        labels.pipeInput(key.getBytes(StandardCharsets.UTF_8), value, arrival);
    }

    /** Publishes {@code reference} on the references topic, keyed by its model id, as the scorer does. */
    void sendReference(ModelReference reference, Instant arrival) {
        sendReferenceBytes(reference.getModelId(), AvroSerde.modelReferences().serializer().serialize("r", reference),
                arrival);
    }

    /** A reference record as given: a null value is a tombstone (the model's reference withdrawn). */
    void sendReferenceBytes(String key, byte[] value, Instant arrival) {
        references.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, arrival);
    }

    /** The reference of {@code model} version {@code version} as the scorer publishes it. */
    static ModelReference reference(String model, String version, Calibration calibration) {
        return ModelReference.newBuilder().setModelId(model).setModelVersion(version)
                .setCalibrationJson(calibration.toJson()).setSource("test").setPublishedTime(T0).build();
    }

    /**
     * The reference of a calibrated model (T near 1): 1,000 predictions whose top class has probability 0.55 to 0.91
     * ({@link #confident}) and is right that share of the time. Confidences of 0.15 then estimate an accuracy near
     * 0.1, of 0.999999 near 1.
     */
    static Calibration calibratedReference() {
        ReferenceSet reference = new ReferenceSet(10);
        for (int i = 0; i < 1_000; i++) {
            double q = 0.55 + 0.04 * (i % 10);
            int predicted = (i / 10) % 10;
            boolean right = (i / 10) % 20 < Math.round(q * 20);
            reference.add(right ? predicted : (predicted + 1) % 10, confident(predicted, q));
        }
        return reference.calibration();
    }

    /** Lets the emit interval pass on the wall clock: snapshots of changed views go out. */
    void tick() {
        driver.advanceWallClockTime(config.emitInterval());
    }

    List<MetricsSnapshot> snapshots() {
        return metrics.readValuesToList();
    }

    List<DeadLetter> deadLetters() {
        return deadLetters.readValuesToList();
    }

    List<Alert> alerts() {
        return alerts.readValuesToList();
    }

    /** The report the HTTP API serves for (model, view), or null. */
    ViewReport report(String model, MetricsView view) {
        KeyValueStore<String, String> store = driver.getKeyValueStore(MetricsTopology.REPORTS_STORE);
        String json = store.get(MetricsTopology.reportKey(model, view));
        return json == null ? null : ViewReport.fromJson(json);
    }

    /** The reports store, read as the HTTP API reads a running application's. */
    ReportSource reports() {
        return new DriverReports(driver.getKeyValueStore(MetricsTopology.REPORTS_STORE));
    }

    private record DriverReports(KeyValueStore<String, String> store) implements ReportSource {
        @Override
        public List<String> models() {
            TreeSet<String> models = new TreeSet<>();
            try (KeyValueIterator<String, String> it = store.all()) {
                it.forEachRemaining(entry -> models.add(MetricsTopology.modelOfReportKey(entry.key)));
            }
            return new ArrayList<>(models);
        }

        @Override
        public Optional<String> report(String modelId, MetricsView view) {
            return Optional.ofNullable(store.get(MetricsTopology.reportKey(modelId, view)));
        }
    }

    ClassificationReport cumulative(String model) {
        tick();
        ViewReport report = report(model, MetricsView.CUMULATIVE);
        return report == null ? null : report.report();
    }

    @Override
    public void close() {
        driver.close();
    }
}

package io.cifarstream.bench;

import io.cifarstream.metricsstream.MetricsConfig;
import io.cifarstream.metricsstream.MetricsService;
import io.cifarstream.metricsstream.MetricsTopology;
import io.cifarstream.metricsstream.ModelViews;
import io.cifarstream.metricsstream.ReferenceUpdate;
import io.cifarstream.metricsstream.ScoredPrediction;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ReportFields;
import io.cifarstream.metricsstream.ReportSource;
import io.cifarstream.metricsstream.StreamCounters;
import io.cifarstream.metricsstream.ViewReport;

import io.cifarstream.testkit.SyntheticPredictions;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code cifar-stream bench metrics}: how fast predictions go through the metrics topology and how large its state gets.
 * <ul>
 *   <li>{@code topology_test_driver}: predictions/s through {@link TopologyTestDriver} (decode, join, aggregation,
 *       no broker): the cost of the computation alone;</li>
 *   <li>{@code embedded_broker_exactly_once}: predictions/s through {@link MetricsService} on an embedded broker with
 *       exactly_once_v2, from the first counted record until the cumulative view holds them all (the input is
 *       produced beforehand, so the producer is not measured), event times spaced as in a live stream at
 *       {@value #LIVE_RATE} predictions/s, the target;</li>
 *   <li>{@code embedded_broker_exactly_once_first_run}: the same, as the first broker run of the JVM (the JIT
 *       compilers still at work on the broker and client code), run before it;</li>
 *   <li>{@code embedded_broker_exactly_once_backfill}: the same with event times 1 ms apart, a replay of history
 *       ({@value #BACKFILL_RATE} predictions per event-time second) that is processed ~50 times faster than it
 *       happened, so the 1-minute windows close ~50 times more often than live: a stress for the window views;</li>
 *   <li>{@code state_bytes}: the checkpoint size of each view of one model after 10k, 100k and 1M predictions
 *       (1 ms apart in event time), plus the journal kept for the last-N view; it stops growing once every ROC
 *       sketch is at its cell limit.</li>
 * </ul>
 * All predictions are {@link SyntheticPredictions} of one model, labels inline, with image statistics, after the
 * model's reference on the references topic: so every prediction also goes through the label-free estimates, the
 * drift checks and the calibration metrics. Prints one JSON object; throughputs come with their CPU seconds, a
 * figure that other work on the machine hardly disturbs.
 */
public final class MetricsBenchmark {

    /** What to measure: throughput over {@code throughputPredictions}, state sizes at each of {@code stateCheckpoints}. */
    public record Options(int throughputPredictions, List<Integer> stateCheckpoints, Path workDir) {
        public static Options defaults(Path workDir) {
            return new Options(1_000_000, List.of(10_000, 100_000, 1_000_000), workDir);
        }
    }

    private static final String MODEL = "bench-model";
    private static final JsonFactory JSON = new JsonFactory();
    /** Event-time predictions per second of a live stream at the target throughput. */
    static final int LIVE_RATE = 50_000;
    /** Event-time predictions per second of the backfill run: 1 ms apart. */
    static final int BACKFILL_RATE = 1_000;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private final Options options;
    private int brokerRuns;
    private final SyntheticPredictions scores = new SyntheticPredictions(11);
    /** The model's reference, fitted on 5,000 synthetic records apart from the predictions. */
    private final Calibration reference = scores.reference(5_000);
    /** Event and record times start here, near now: the broker would delete records older than its retention. */
    private final Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    public MetricsBenchmark(Options options) {
        this.options = options;
    }

    /** Runs every measurement and returns the JSON report. */
    public String run() {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model_views", "cumulative + 1m/10s windows + last 1000, labels inline, one model with a reference:"
                + " classification, calibration metrics, label-free estimates and drift checks");
        report.put("event_time_predictions_per_second", Map.of("live", LIVE_RATE, "backfill", BACKFILL_RATE));
        report.put("topology_test_driver", throughputOnDriver());
        // A first run compiles the broker's and the clients' code paths (the driver run compiled the topology's); it
        // is reported apart, as the figure of a freshly started JVM.
        report.put("embedded_broker_exactly_once_first_run", throughputOnBroker(LIVE_RATE));
        report.put("embedded_broker_exactly_once", throughputOnBroker(LIVE_RATE));
        report.put("embedded_broker_exactly_once_backfill", throughputOnBroker(BACKFILL_RATE));
        report.put("state_bytes", stateSizes());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<byte[]> serializedPredictions(int n, int eventRate) {
        List<byte[]> values = new ArrayList<>(n);
        var serializer = AvroSerde.predictions().serializer();
        for (int i = 0; i < n; i++) {
            values.add(serializer.serialize("p",
                    scores.prediction(MODEL, "img-" + i, i, i % 10, true, eventTime(i, eventRate))));
        }
        return values;
    }

    /** Prediction {@code i}'s event time (and record timestamp) at {@code eventRate} predictions per second. */
    private Instant eventTime(int i, int eventRate) {
        return t0.plusMillis(i * 1000L / eventRate);
    }

    private Map<String, Object> throughputOnDriver() {
        int n = options.throughputPredictions();
        List<byte[]> values = serializedPredictions(n, LIVE_RATE);
        MetricsConfig config = MetricsConfig.defaults(TopicNames.defaults());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, options.workDir().resolve("driver-state").toString());
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L); // as MetricsService runs it
        StreamCounters counters = new StreamCounters();
        long start;
        long end;
        long cpuStart;
        long cpuEnd;
        try (TopologyTestDriver driver = new TopologyTestDriver(MetricsTopology.build(config, counters), props, t0)) {
            TestInputTopic<byte[], byte[]> input = driver.createInputTopic(config.topics().predictions(),
                    Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
            driver.createInputTopic(config.topics().references(), Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer()).pipeInput(MODEL.getBytes(StandardCharsets.UTF_8),
                    referenceBytes(), t0);
            start = System.nanoTime();
            cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                input.pipeInput(("img-" + i).getBytes(StandardCharsets.UTF_8), values.get(i), eventTime(i, LIVE_RATE));
                if (i % 10_000 == 9_999) {
                    driver.advanceWallClockTime(config.emitInterval());
                }
            }
            driver.advanceWallClockTime(config.emitInterval());
            end = System.nanoTime();
            cpuEnd = THREADS.getCurrentThreadCpuTime();
        }
        return rate(n, end - start, cpuEnd - cpuStart);
    }

    private Map<String, Object> throughputOnBroker(int eventRate) {
        int n = options.throughputPredictions();
        List<byte[]> values = serializedPredictions(n, eventRate);
        Path run = options.workDir().resolve("broker-run-" + brokerRuns++);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(run.resolve("kafka")).start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
            TopicNames topics = TopicNames.defaults();
            new TopicSetup(kafka).ensure(topics.all().stream().map(topic -> TopicSpec.of(topic, 1)).toList());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topics.references(), null, t0.toEpochMilli(),
                        MODEL.getBytes(StandardCharsets.UTF_8), referenceBytes()));
                for (int i = 0; i < n; i++) {
                    producer.send(new ProducerRecord<>(topics.predictions(), null, eventTime(i, eventRate).toEpochMilli(),
                            ("img-" + i).getBytes(StandardCharsets.UTF_8), values.get(i)));
                }
            }
            MetricsService.Options service = new MetricsService.Options(kafka, MetricsConfig.defaults(topics),
                    "metrics-bench", run.resolve("state"), "127.0.0.1", 0, Map.of());
            try (MetricsService metrics = MetricsService.start(service)) {
                ReportSource reports = metrics.reports();
                while (metrics.counters().count(StreamCounters.Event.COUNTED) == 0) {
                    pause();
                }
                long start = System.nanoTime();
                long cpuStart = PROCESS.getProcessCpuTime();
                while (cumulativeCount(reports) < n) {
                    pause();
                }
                return rate(n, System.nanoTime() - start, PROCESS.getProcessCpuTime() - cpuStart);
            }
        }
    }

    private byte[] referenceBytes() {
        return AvroSerde.modelReferences().serializer().serialize("r", scores.modelReference(MODEL, reference, t0));
    }

    private static long cumulativeCount(ReportSource reports) {
        try {
            return reports.report(MODEL, MetricsView.CUMULATIVE).map(MetricsBenchmark::reportCount).orElse(0L);
        } catch (ReportSource.ReportsUnavailableException e) {
            return 0;
        }
    }

    /**
     * The {@code count} of a {@link ViewReport}'s JSON, read without decoding the rest: the clock polls it every 20 ms,
     * and a full parse (thousands of ROC curve doubles) cost the measured process as much CPU as a stream thread.
     */
    static long reportCount(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("a report is a JSON object: " + json);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (ReportFields.COUNT.equals(field)) {
                    return parser.getLongValue();
                }
                parser.skipChildren();
            }
            throw new IllegalStateException("a report without a count: " + json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Map<String, Object>> stateSizes() {
        MetricsConfig config = MetricsConfig.defaults(TopicNames.defaults());
        ModelViews views = new ModelViews(config);
        views.apply(new ReferenceUpdate(MODEL, scores.version(), reference, "bench", t0.toEpochMilli()));
        List<Map<String, Object>> sizes = new ArrayList<>();
        int done = 0;
        for (int checkpoint : options.stateCheckpoints()) {
            for (; done < checkpoint; done++) {
                ScoredPrediction prediction = new ScoredPrediction(MODEL, "img-" + done, scores.version(),
                        scores.logProbs(done, done % 10), scores.imageStatistics(done), done % 10, t0.toEpochMilli() + done);
                views.estimate(prediction);
                views.count(prediction.withLabel());
            }
            ModelViews.StateSize state = views.stateSize();
            Map<String, Object> size = new LinkedHashMap<>();
            size.put("predictions", checkpoint);
            size.put("cumulative", state.cumulativeBytes());
            size.put("window_panes", state.currentWindowPaneBytes());
            size.put("panes_open", state.panesOpen());
            ScoredPrediction last = new ScoredPrediction(MODEL, "img-" + done, scores.version(), new float[10],
                    scores.imageStatistics(done), 0, 0);
            size.put("last_n_journal", config.lastN() * last.withLabel().toBytes().length);
            size.put("cumulative_roc_cells_class0", state.cumulativeRocCellsClass0());
            size.put("estimates_cumulative", state.estimateCumulativeBytes());
            size.put("estimates_window_panes", state.estimateWindowPaneBytes());
            size.put("estimates_last_n_journal", config.lastN() * last.toBytes().length);
            sizes.add(size);
        }
        return sizes;
    }

    /**
     * Throughput by the wall clock, and per CPU second (of the benchmark thread for the driver, of the whole
     * process, broker included, for the broker run): the second figure hardly moves when other work shares the
     * cores, the first does.
     */
    private static Map<String, Object> rate(int n, long nanos, long cpuNanos) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("predictions", n);
        result.put("seconds", nanos / 1e9);
        result.put("predictions_per_second", Math.round(n / (nanos / 1e9)));
        result.put("cpu_seconds", cpuNanos / 1e9);
        result.put("predictions_per_cpu_second", Math.round(n / (cpuNanos / 1e9)));
        return result;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while benchmarking", e);
        }
    }
}

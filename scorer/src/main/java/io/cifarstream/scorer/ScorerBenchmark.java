package io.cifarstream.scorer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.broker.KafkaSettings;
import io.cifarstream.broker.TopicSetup;
import io.cifarstream.broker.TopicSpec;
import io.cifarstream.console.UserError;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.DataFlag;
import io.cifarstream.inference.ModelFlags;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.AvroSerializer;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cifar-stream bench scorer}: three measurements in one run on one machine, printed as JSON.
 * (a) {@code raw_onnx}: ONNX Runtime alone on pre-decoded CIFAR-10 test images at batch 1, 32 and 256;
 * (b) {@code end_to_end}: a scorer with transactions on, against an embedded broker whose images topic already
 * holds the images, from its first committed batch until every prediction is committed;
 * (c) {@code latency}: event time to prediction seen by a {@code read_committed} consumer, at a fixed offered
 * load (a fraction of (b)'s throughput). The broker, the load generator and the scorer share the machine's cores.
 */
@Command(name = "scorer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark the scorer: raw ONNX Runtime, end-to-end through Kafka, latency under load (JSON)")
public final class ScorerBenchmark implements Callable<Integer> {

    private static final AvroSerializer<ImageEvent> EVENTS = AvroSerde.imageEvents().serializer();
    /** A warm-up pass in which the JIT threads used less than this share of the process's CPU ends the warm-up. */
    static final int JIT_SETTLED_PERCENT = 5;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The .onnx model to score with.")
    Path model;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    DataFlag data;

    @Option(names = "--images", defaultValue = "10000", paramLabel = "N",
            description = "Test images replayed end to end. Default: ${DEFAULT-VALUE}.")
    int images;

    @Mixin
    BatchingFlags batching;

    @Option(names = "--passes", defaultValue = "3", paramLabel = "N",
            description = "Times the images are replayed for the end-to-end run. Default: ${DEFAULT-VALUE}.")
    int passes;

    @Option(names = "--warmup", defaultValue = "60s", paramLabel = "DURATION",
            description = "Before the end-to-end run, unreported passes are replayed until the JIT compilers settle "
                    + "(under " + JIT_SETTLED_PERCENT + "% of the CPU in two passes in a row) or this long: the in-process broker keeps "
                    + "them busy for a minute, which a deployed scorer pays once. 0s = one pass. Default: ${DEFAULT-VALUE}.",
            converter = io.cifarstream.console.DurationConverter.class)
    Duration warmup;

    @Option(names = "--load-fraction", defaultValue = "0.5", paramLabel = "F",
            description = "Offered load of the latency run, as a fraction of the end-to-end maximum. Default: ${DEFAULT-VALUE}.")
    double loadFraction;

    @Option(names = "--latency-seconds", defaultValue = "15", paramLabel = "S",
            description = "Length of the latency run. Default: ${DEFAULT-VALUE}.")
    int latencySeconds;

    @Override
    public Integer call() throws Exception {
        CifarImages test = data.open().test();
        if (images < 1 || images > test.size()) {
            throw new UserError("--images must be 1 to " + test.size() + ", got " + images);
        }
        if (passes < 1) {
            throw new UserError("--passes must be at least 1, got " + passes);
        }
        ObjectNode result = run(model, modelFlags.toOptions(), test.first(images), batching.maxBatch(), batching.linger(),
                passes, warmup, loadFraction, Duration.ofSeconds(latencySeconds));
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
        return 0;
    }

    /** Runs (a), (b) and (c) and returns their figures. */
    public static ObjectNode run(Path model, ModelOptions options, CifarImages images, int maxBatch, Duration linger,
            int passes, Duration warmup, double loadFraction, Duration latencyRun) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode result = mapper.createObjectNode();
        result.put("model", model.toString());
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("device", options.device());
        ObjectNode raw = result.putObject("raw_onnx_images_per_second");
        for (int batch : new int[] {1, 32, 256}) {
            raw.put("batch_" + batch, Math.round(rawThroughput(model, options, images, batch)));
        }
        // No data dir: the broker keeps its log in a temporary folder it deletes on close.
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
            ScorerConfig base = ScorerConfig.of(kafka, List.of(new ModelSpec("bench", model)), options)
                    .withBatching(maxBatch, linger)
                    .withPartitions(4)
                    .withStatus(Duration.ofSeconds(5), line -> System.err.println("bench: " + line));

            ObjectNode e2e = result.putObject("end_to_end");
            warmUp(base, images, warmup, e2e.putObject("warmup"));
            double endToEnd = endToEndThroughput(base, images, passes, e2e.putObject("scoring_thread_seconds"),
                    e2e.putObject("cpu_seconds_by_thread_group"));
            e2e.put("images", (long) images.size() * passes);
            e2e.put("max_batch", maxBatch);
            e2e.put("linger_ms", linger.toMillis());
            e2e.put("images_per_second", Math.round(endToEnd));
            e2e.put("ratio_to_raw_batch_256", round3(endToEnd / raw.get("batch_256").asDouble()));

            double rate = endToEnd * loadFraction;
            Histogram inScorer = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
            ObjectNode lat = result.putObject("latency");
            Histogram latency = latencyAtLoad(base, images, rate, latencyRun, inScorer, lat);
            lat.put("offered_images_per_second", Math.round(rate));
            lat.put("seconds", latencyRun.toSeconds());
            lat.put("predictions", latency.getTotalCount());
            lat.put("p50_ms", round3(latency.getValueAtPercentile(50) / 1000.0));
            lat.put("p99_ms", round3(latency.getValueAtPercentile(99) / 1000.0));
            lat.put("max_ms", round3(latency.getMaxValue() / 1000.0));
            // The part spent inside the scorer: from the poll that read the image to its prediction, before the commit.
            lat.put("in_scorer_p50_ms", round3(inScorer.getValueAtPercentile(50) / 1000.0));
            lat.put("in_scorer_p99_ms", round3(inScorer.getValueAtPercentile(99) / 1000.0));
        }
        return result;
    }

    /** Images per second of ONNX Runtime alone, over at least two seconds after a warm-up. */
    static double rawThroughput(Path model, ModelOptions options, CifarImages images, int batch) {
        int usable = Math.max(batch, images.size() / batch * batch);
        float[] out = new float[batch * OnnxClassifier.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(model, options, batch)) {
            for (int i = 0; i < 20; i++) {
                classifier.logProbabilities(images.pixels(), (i * batch) % usable, Math.min(batch, images.size()), out);
            }
            long scored = 0;
            long start = System.nanoTime();
            long elapsed;
            int first = 0;
            do {
                classifier.logProbabilities(images.pixels(), first, batch, out);
                scored += batch;
                first = (first + batch) % usable;
                elapsed = System.nanoTime() - start;
            } while (elapsed < TimeUnit.SECONDS.toNanos(2));
            return scored / (elapsed / 1e9);
        }
    }

    /**
     * Unreported end-to-end passes until two in a row in which the JIT threads used under
     * {@value #JIT_SETTLED_PERCENT}% of the CPU, or until {@code limit} has passed (at least one pass). The broker, the Kafka clients and the scorer run in
     * this process, and C2 keeps compiling the broker's code paths for about a minute (measured: 6.2 of 41 CPU
     * seconds in a 21-second run after one warm-up pass), which would be measured as scorer throughput otherwise.
     */
    static void warmUp(ScorerConfig base, CifarImages images, Duration limit, ObjectNode figures) throws Exception {
        long start = System.nanoTime();
        int passes = 0;
        int settledInARow = 0;
        double jitShare;
        do {
            ObjectNode cpu = figures.objectNode();
            endToEndThroughput(base, images, 1, figures.objectNode(), cpu);
            passes++;
            double total = 0;
            for (var group : cpu.properties()) {
                total += group.getValue().asDouble();
            }
            jitShare = total > 0 ? cpu.path("jit").asDouble() / total : 0;
            settledInARow = jitShare * 100 < JIT_SETTLED_PERCENT ? settledInARow + 1 : 0;
            // Two quiet passes in a row: C2 works in waves, and one quiet pass was followed by a busy one (measured).
        } while (settledInARow < 2 && System.nanoTime() - start < limit.toNanos());
        figures.put("passes", passes);
        figures.put("seconds", round3((System.nanoTime() - start) / 1e9));
        figures.put("jit_share_of_last_pass", round3(jitShare));
    }

    /** Puts every image on a fresh topic {@code passes} times first, then times a scorer from its first commit to its last. */
    static double endToEndThroughput(ScorerConfig base, CifarImages images, int passes, ObjectNode phases,
            ObjectNode cpu) throws Exception {
        long events = (long) images.size() * passes;
        TopicNames topics = freshTopics(base);
        ScorerConfig config = base.withTopics(topics).withGroup("bench-" + topics.images());
        try (KafkaProducer<byte[], byte[]> producer = producer(config.kafka())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (long i = 0; i < events; i++) {
                sent.add(producer.send(record(topics.images(), images, (int) (i % images.size()))));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
        try (Scorer scorer = Scorer.start(config)) {
            long firstCount;
            while ((firstCount = scorer.metrics().imagesScored()) == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            long start = System.nanoTime();
            ThreadCpu cpuAtStart = ThreadCpu.now();
            while (scorer.metrics().imagesScored() < events) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                if (scorer.failure().isPresent()) {
                    throw new IllegalStateException("the scorer failed", scorer.failure().get());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (ScorerMetrics.Phase phase : ScorerMetrics.Phase.values()) {
                phases.put(phase.name().toLowerCase(java.util.Locale.ROOT), round3(scorer.metrics().phaseSeconds(phase)));
            }
            phases.put("wall_since_first_commit", round3(seconds));
            ThreadCpu.now().since(cpuAtStart).forEach(cpu::put);
            return (events - firstCount) / seconds;
        }
    }

    /**
     * The downstream reader as a latency-sensitive client would configure it: a parked fetch returns after at most
     * 10 ms instead of Kafka's default 500 ms, which would otherwise be measured as scoring latency.
     */
    private static Map<String, Object> latencyReader(KafkaSettings kafka) {
        Map<String, Object> config = kafka.consumer("bench-reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return config;
    }

    /**
     * Offers {@code rate} images per second for {@code duration} to a running scorer and records, per prediction a
     * {@code read_committed} consumer receives, the time from the image's event time to its arrival, and into
     * {@code inScorer} the part the prediction says it spent in the scorer.
     */
    static Histogram latencyAtLoad(ScorerConfig base, CifarImages images, double rate, Duration duration,
            Histogram inScorer, ObjectNode figures) throws Exception {
        TopicNames topics = freshTopics(base);
        ScorerConfig config = base.withTopics(topics).withGroup("bench-" + topics.images());
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        AvroSerde<Prediction> predictions = AvroSerde.predictions();
        try (Scorer scorer = Scorer.start(config);
                KafkaProducer<byte[], byte[]> producer = producer(config.kafka());
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(latencyReader(config.kafka()),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.predictions()));
            // Both the reader and the scorer own their partitions before the first image: the figure is latency
            // under load, not the group joins (images sent before the scorer has partitions wait for them).
            long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((consumer.assignment().isEmpty() || scorer.metrics().assignedPartitions() < config.partitions())
                    && System.nanoTime() < joinDeadline) {
                consumer.poll(Duration.ofMillis(50));
            }
            // Then one image per partition end to end, not measured: the load producer's first sends to the new topic
            // wait for its metadata (100 ms back-off per retry), which measured as 300-600 ms tails in the first
            // seconds.
            int probes = config.partitions() * 4;
            for (int i = 0; i < probes; i++) {
                producer.send(record(topics.images(), images, i % images.size()));
            }
            producer.flush();
            for (int seen = 0; seen < probes && System.nanoTime() < joinDeadline; ) {
                seen += consumer.poll(Duration.ofMillis(50)).count();
            }
            long total = Math.round(rate * duration.toSeconds());
            long intervalNanos = Math.round(1e9 / rate);
            Thread load = new Thread(() -> {
                long start = System.nanoTime();
                for (long i = 0; i < total; i++) {
                    long due = start + i * intervalNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    producer.send(record(topics.images(), images, (int) (i % images.size())));
                }
                producer.flush();
            }, "bench-load");
            load.start();
            long received = 0;
            long deadline = System.nanoTime() + duration.toNanos() + TimeUnit.SECONDS.toNanos(30);
            while (received < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    Prediction p = predictions.deserializer().deserialize(r.topic(), r.value());
                    latency.recordValue(TimeUnit.MILLISECONDS.toMicros(Math.max(0, now - p.getEventTime().toEpochMilli())));
                    inScorer.recordValue(Math.max(0, p.getScoringLatencyMicros()));
                    received++;
                }
            }
            load.join();
            figures.put("transaction_p50_ms", round3(scorer.metrics().transactionMicros(50) / 1000.0));
            figures.put("transaction_p99_ms", round3(scorer.metrics().transactionMicros(99) / 1000.0));
            figures.put("mean_batch", round3((double) scorer.metrics().imagesScored() / Math.max(1, scorer.metrics().batchesCommitted())));
            if (received < total) {
                throw new IllegalStateException("only " + received + " of " + total + " predictions arrived");
            }
        }
        return latency;
    }

    private static TopicNames freshTopics(ScorerConfig base) {
        TopicNames topics = TopicNames.defaults().withPrefix("bench-" + System.nanoTime() + "-");
        new TopicSetup(base.kafka()).ensure(List.of(TopicSpec.of(topics.images(), base.partitions()),
                TopicSpec.of(topics.predictions(), base.partitions()), TopicSpec.of(topics.deadLetters(), 1)));
        return topics;
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaSettings kafka) {
        Map<String, Object> config = kafka.producer();
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // One request in flight: a just-created topic's partition may refuse a first batch yet take later ones,
        // which wedges an idempotent producer with several in flight on out-of-order sequence numbers.
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        // A request carries one batch per partition: at Kafka's 16 KB (5 images) and one request in flight, this
        // producer topped out near 4,000 images/s on 4 partitions, and the latency run measured its queue (p99 300-500
        // ms at 4,000/s offered). 512 KB batches lift that bound far above the scorer's.
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Image {@code i} as a raw ImageEvent stamped now. */
    private static ProducerRecord<byte[], byte[]> record(String topic, CifarImages images, int i) {
        ImageEvent event = ImageEvent.newBuilder().setId(images.id(i)).setEventTime(Instant.now())
                .setSource("cifar10:test").setLabel(images.label(i)).setWidth(32).setHeight(32).setChannels(3)
                .setEncoding(ImageEncoding.RAW_CHW_U8)
                .setData(ByteBuffer.wrap(images.pixels(), i * CifarImages.PIXELS, CifarImages.PIXELS).slice())
                .build();
        return new ProducerRecord<>(topic, images.id(i).getBytes(StandardCharsets.UTF_8), EVENTS.serialize(topic, event));
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}

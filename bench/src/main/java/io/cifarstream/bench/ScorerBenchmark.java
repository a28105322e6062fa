package io.cifarstream.bench;

import io.cifarstream.trainer.Processor;
import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.Scorer;
import io.cifarstream.scorer.ScorerConfig;
import io.cifarstream.scorer.ScorerMetrics;

import io.cifarstream.schemas.CifarShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.AvroSerializer;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.TopicNames;

/**
 * {@code cifar-stream bench scorer}: three measurements in one run on one machine, as JSON.
 * (a) {@code raw_onnx}: ONNX Runtime alone on pre-decoded CIFAR-10 test images at batch 1, 32 and 256;
 * (b) {@code end_to_end}: a scorer with transactions on, against an embedded broker whose images topic already
 * holds the images, from its first committed batch until every prediction is committed, with ONNX Runtime alone at
 * batch 256 measured again just before and just after it ({@code ratio_to_raw_batch_256_beside} divides by their
 * mean);
 * (c) {@code latency}: event time to prediction seen by a {@code read_committed} consumer, at a fixed offered
 * load (a fraction of (b)'s throughput). The broker, the load generator and the scorer share the machine's cores.
 */
public final class ScorerBenchmark {

    private static final AvroSerializer<ImageEvent> EVENTS = AvroSerde.imageEvents().serializer();
    /** How long each raw ONNX Runtime figure is measured, after its warm-up calls. */
    private static final Duration RAW_RUN = Duration.ofSeconds(2);

    private ScorerBenchmark() {
    }

    /** What {@link #defaultBrokerLogParent()} asks of {@code /dev/shm}: room for a run's images several times over. */
    static final long MEMORY_LOG_SPACE = 8L << 30;

    /**
     * Where the broker's throwaway log goes by default: {@code /dev/shm} (memory) where it exists with
     * {@value #MEMORY_LOG_SPACE} bytes free, else {@code java.io.tmpdir}. On a disk, the kernel writes the log back
     * every 30 s (its {@code dirty_expire_centisecs}): measured on ext4, about 700 MB in one second, and while it
     * does every client of the broker stalls for a few hundred ms, which the latency run would report as the
     * scorer's tail (docs/benchmarks.md).
     */
    public static Path defaultBrokerLogParent() {
        Path memory = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(memory) && Files.isWritable(memory)
                    && Files.getFileStore(memory).getUsableSpace() >= MEMORY_LOG_SPACE) {
                return memory;
            }
        } catch (IOException e) {
            // Not usable: the temporary folder it is.
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Runs (a), (b) and (c) and returns their figures; the broker keeps its log in a fresh folder inside
     * {@code brokerLogParent}, deleted at the end.
     */
    public static ObjectNode run(Path model, ModelOptions options, CifarImages images, int maxBatch, Duration linger,
            int backlogBatch, int passes, Duration warmup, double loadFraction, Duration latencyRun,
            Path brokerLogParent) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode result = mapper.createObjectNode();
        result.put("model", model.toString());
        Processor.current().describeIn(result);
        result.put("device", options.device());
        ObjectNode raw = result.putObject("raw_onnx_images_per_second");
        for (int batch : new int[] {1, 32, 256}) {
            raw.put("batch_" + batch, Math.round(rawThroughput(model, options, images, batch, RAW_RUN)));
        }
        String filesystem = Files.getFileStore(Files.createDirectories(brokerLogParent)).type();
        ObjectNode log = result.putObject("broker_log");
        log.put("directory", brokerLogParent.toString());
        log.put("filesystem", filesystem);
        System.err.println("bench: the broker keeps its log in " + brokerLogParent + " (" + filesystem + ")");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).temporaryDataDirIn(brokerLogParent)
                .start()) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
            ScorerConfig base = ScorerConfig.of(kafka, List.of(new ModelSpec("bench", model)), options)
                    .withBatching(maxBatch, linger)
                    .withBacklogBatch(backlogBatch)
                    .withPartitions(4)
                    .withStatus(Duration.ofSeconds(5), line -> System.err.println("bench: " + line));

            ObjectNode e2e = result.putObject("end_to_end");
            // Warm-up passes as long as the measured one: what the clients and the scorer do every few seconds
            // (heartbeats, the status line) runs in them, not first in the measured pass (see warmUp).
            warmUp(warmup, e2e.putObject("warmup"), () -> endToEndThroughput(base, images, passes, e2e.objectNode()).cpu());
            // ONNX Runtime alone again just before and just after the timed pass: on a shared machine the cores' speed
            // can drift by a tenth within a run, so (a)'s figure, taken a minute earlier, can flatter or wrong (b).
            double rawBefore = rawThroughput(model, options, images, 256, RAW_RUN);
            EndToEnd timed = endToEndThroughput(base, images, passes, e2e.putObject("scoring_thread_seconds"));
            double rawAfter = rawThroughput(model, options, images, 256, RAW_RUN);
            ObjectNode cpu = e2e.putObject("cpu_seconds_by_thread_group");
            timed.cpu().forEach(cpu::put);
            double endToEnd = timed.imagesPerSecond();
            e2e.put("images", (long) images.size() * passes);
            e2e.put("max_batch", maxBatch);
            e2e.put("linger_ms", linger.toMillis());
            e2e.put("backlog_batch", base.backlogBatch());
            e2e.put("images_per_second", Math.round(endToEnd));
            e2e.put("ratio_to_raw_batch_256", round3(endToEnd / raw.get("batch_256").asDouble()));
            e2e.put("raw_batch_256_before", Math.round(rawBefore));
            e2e.put("raw_batch_256_after", Math.round(rawAfter));
            e2e.put("ratio_to_raw_batch_256_beside", round3(endToEnd / ((rawBefore + rawAfter) / 2)));

            double rate = endToEnd * loadFraction;
            ObjectNode lat = result.putObject("latency");
            lat.put("offered_images_per_second", Math.round(rate));
            lat.put("seconds", latencyRun.toSeconds());
            LatencyRun.Stages stages = new LatencyRun(freshTopics(base), images, rate).measure(base, warmup, latencyRun, lat);
            lat.put("predictions", stages.total().getTotalCount());
            lat.put("p50_ms", round3(stages.total().getValueAtPercentile(50) / 1000.0));
            lat.put("p99_ms", round3(stages.total().getValueAtPercentile(99) / 1000.0));
            lat.put("max_ms", round3(stages.total().getMaxValue() / 1000.0));
            stages.putStages(lat);
        }
        return result;
    }

    /** Images per second of ONNX Runtime alone, over at least {@code duration} after a warm-up. */
    static double rawThroughput(Path model, ModelOptions options, CifarImages images, int batch, Duration duration) {
        int usable = Math.max(batch, images.size() / batch * batch);
        float[] out = new float[batch * CifarShape.CLASSES];
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
            } while (elapsed < duration.toNanos());
            return scored / (elapsed / 1e9);
        }
    }

    /** One unreported warm-up pass; returns the CPU seconds it used, by thread group. */
    @FunctionalInterface
    interface WarmUpPass {
        Map<String, Double> run() throws Exception;
    }

    /** A timed end-to-end run: its throughput and the CPU seconds it used, by thread group. */
    record EndToEnd(double imagesPerSecond, Map<String, Double> cpu) {
    }

    /**
     * Unreported passes until two in a row in which the JIT threads used under {@value JitSettling#SETTLED_PERCENT}% of the
     * CPU, or until {@code limit} has passed (at least one pass). The broker, the Kafka clients and the scorer run in
     * this process, and C2 keeps compiling the broker's code paths for minutes (measured: 6.2 of 41 CPU seconds in a
     * 21-second run after one warm-up pass), which would be measured as scorer throughput otherwise. A pass must be
     * as long as the measured one: code that first runs a few seconds into a pass (the consumer's heartbeat every 3 s,
     * the status line every 5 s) otherwise first runs inside the measured pass, where the branches it takes send
     * compiled code of the consumer and the broker back to the interpreter and C2 compiles it again (measured with
     * 10,000-image warm-up passes: the compilers took 0.89 CPU seconds of the measured pass, C2 0.73 of them, its
     * recompilation of the consumer's poll alone 0.19). The latency run warms up apart, see {@link LatencyRun}.
     */
    static void warmUp(Duration limit, ObjectNode figures, WarmUpPass pass) throws Exception {
        long start = System.nanoTime();
        int passes = 0;
        JitSettling jit = new JitSettling();
        boolean settled;
        do {
            settled = jit.settledAfter(pass.run());
            passes++;
        } while (!settled && System.nanoTime() - start < limit.toNanos());
        figures.put("passes", passes);
        figures.put("seconds", round3((System.nanoTime() - start) / 1e9));
        figures.put("jit_share_of_last_pass", round3(jit.lastShare()));
    }

    /** Puts every image on a fresh topic {@code passes} times first, then times a scorer from its first commit to its last. */
    static EndToEnd endToEndThroughput(ScorerConfig base, CifarImages images, int passes, ObjectNode phases)
            throws Exception {
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
            return new EndToEnd((events - firstCount) / seconds, ThreadCpu.now().since(cpuAtStart));
        }
    }

    private static TopicNames freshTopics(ScorerConfig base) {
        TopicNames topics = TopicNames.defaults().withPrefix("bench-" + System.nanoTime() + "-");
        new TopicSetup(base.kafka()).ensure(List.of(TopicSpec.of(topics.images(), base.partitions()),
                TopicSpec.of(topics.predictions(), base.partitions()), TopicSpec.of(topics.deadLetters(), 1)));
        return topics;
    }

    static KafkaProducer<byte[], byte[]> producer(KafkaSettings kafka) {
        Map<String, Object> config = kafka.producer();
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
    static ProducerRecord<byte[], byte[]> record(String topic, CifarImages images, int i) {
        return record(topic, images, i, System.currentTimeMillis());
    }

    /** Image {@code i} as a raw ImageEvent with the given event time. */
    static ProducerRecord<byte[], byte[]> record(String topic, CifarImages images, int i, long eventMillis) {
        ImageEvent event = ImageEvent.newBuilder().setId(images.id(i)).setEventTime(Instant.ofEpochMilli(eventMillis))
                .setSource("cifar10:test").setLabel(images.label(i)).setWidth(32).setHeight(32).setChannels(3)
                .setEncoding(ImageEncoding.RAW_CHW_U8)
                .setData(ByteBuffer.wrap(images.pixels(), i * CifarShape.PIXELS, CifarShape.PIXELS).slice())
                .build();
        return new ProducerRecord<>(topic, images.id(i).getBytes(StandardCharsets.UTF_8), EVENTS.serialize(topic, event));
    }

    static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}

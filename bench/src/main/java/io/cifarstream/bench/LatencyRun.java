package io.cifarstream.bench;

import io.cifarstream.scorer.Scorer;
import io.cifarstream.scorer.ScorerConfig;
import io.cifarstream.scorer.ScorerMetrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;

/**
 * {@code bench scorer}'s latency run (c): a load generator offers images at a fixed rate to a running scorer, and a
 * {@code read_committed} reader takes, per prediction, the time from the image's event time to its arrival.
 *
 * <p>One continuous stream: it warms up, unreported, in windows of {@value #WINDOW_SECONDS} s until the JIT settles
 * (see {@link JitSettling}) or the warm-up limit has passed, and then the images whose event times fall in the next
 * {@code duration} are measured, every one of them to its prediction. Started from an idle scorer, the run would
 * measure the JIT instead: its load producer, reader and the broker's produce path at a steady rate are code the
 * end-to-end run never runs, and compiling them took 7.9 of 27.5 CPU seconds of such a run (0.3-0.4 s tails in its
 * first second).
 *
 * @param topics the run's own topics (images, predictions, dead letters)
 * @param images the images the load generator sends, in turn
 * @param rate   the offered load, images per second
 */
record LatencyRun(TopicNames topics, CifarImages images, double rate) {

    static final int WINDOW_SECONDS = 5;
    /** The measured window starts this far ahead of the decision, so the load thread sees it before it begins. */
    private static final long LEAD_MILLIS = 100;
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * The load thread sends every image that is due, then sleeps at least this long. Waking for each image costs a
     * futex call and often a context switch per image, and preempts the scorer the run measures (10,600 calls and
     * 5,200 switches a second at 9,500 images/s, docs/benchmarks.md). Stamps are in milliseconds: an image sent
     * within a millisecond of its turn carries the stamp it would carry sent on its own.
     */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** After the last measured image is sent, how long its prediction may take before the run fails. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

    /**
     * Latency and its three stages, per prediction: {@code to_scorer} from the event time to the scorer's poll that
     * read the image (load producer, broker, fetch), {@code in_scorer} from that poll to the prediction's send
     * (batching and scoring), {@code commit_and_read} from there to the reader (the transaction and the
     * {@code read_committed} fetch). The stages come from the prediction's own times, at millisecond resolution.
     */
    record Stages(Histogram total, Histogram toScorer, Histogram inScorer, Histogram commitAndRead) {

        Stages() {
            this(histogram(), histogram(), histogram(), histogram());
        }

        void record(Prediction p, long receivedMillis) {
            long event = p.getEventTime().toEpochMilli();
            long scored = p.getScoredTime().toEpochMilli();
            long inScorerMicros = Math.max(0, p.getScoringLatencyMicros());
            total.recordValue(TimeUnit.MILLISECONDS.toMicros(Math.max(0, receivedMillis - event)));
            toScorer.recordValue(Math.max(0, TimeUnit.MILLISECONDS.toMicros(scored - event) - inScorerMicros));
            inScorer.recordValue(inScorerMicros);
            commitAndRead.recordValue(TimeUnit.MILLISECONDS.toMicros(Math.max(0, receivedMillis - scored)));
        }

        void putStages(ObjectNode figures) {
            put(figures, "to_scorer", toScorer);
            put(figures, "in_scorer", inScorer);
            put(figures, "commit_and_read", commitAndRead);
        }

        private static void put(ObjectNode figures, String stage, Histogram histogram) {
            figures.put(stage + "_p50_ms", ScorerBenchmark.round3(histogram.getValueAtPercentile(50) / 1000.0));
            figures.put(stage + "_p99_ms", ScorerBenchmark.round3(histogram.getValueAtPercentile(99) / 1000.0));
        }

        private static Histogram histogram() {
            return new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        }
    }

    /**
     * Runs a scorer with {@code base}'s settings on this run's topics, warms the stream up for at most
     * {@code warmupLimit}, measures {@code duration} of it, and puts the warm-up, the CPU by thread group and the
     * scorer's batches and transactions into {@code figures}.
     */
    Stages measure(ScorerConfig base, Duration warmupLimit, Duration duration, ObjectNode figures) throws Exception {
        ScorerConfig config = base.withTopics(topics).withGroup("bench-" + topics.images());
        Stages stages = new Stages();
        AvroSerde<Prediction> predictions = AvroSerde.predictions();
        // This thread is the reader: named so that its CPU time counts as the benchmark's, not the broker's.
        String threadName = Thread.currentThread().getName();
        Thread.currentThread().setName("bench-reader");
        try (Scorer scorer = Scorer.start(config);
                KafkaProducer<byte[], byte[]> producer = ScorerBenchmark.producer(config.kafka());
                KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerConfig(config.kafka()),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            reader.subscribe(List.of(topics.predictions()));
            // Both own their partitions before the first image: the warm-up is not spent on group joins.
            long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((reader.assignment().isEmpty() || scorer.metrics().assignedPartitions() < config.partitions())
                    && System.nanoTime() < joinDeadline) {
                reader.poll(POLL);
            }
            LoadGenerator load = new LoadGenerator(producer);
            load.start();
            try {
                warmUp(reader, predictions, scorer, load, warmupLimit, figures.putObject("warmup"));
                long from = System.currentTimeMillis() + LEAD_MILLIS;
                long until = from + duration.toMillis();
                load.measure(from, until);
                measureWindow(reader, predictions, scorer, load, from, until, stages, figures);
            } finally {
                load.stop();
            }
        } finally {
            Thread.currentThread().setName(threadName);
        }
        return stages;
    }

    private void warmUp(KafkaConsumer<byte[], byte[]> reader, AvroSerde<Prediction> predictions, Scorer scorer,
            LoadGenerator load, Duration limit, ObjectNode figures) {
        // The warm-up's predictions are read as the measured ones are, into stages that are dropped: the reader's
        // decoding and recording are compiled before the window, not in it.
        Stages dropped = new Stages();
        JitSettling jit = new JitSettling();
        long start = System.nanoTime();
        long windowNanos = Math.min(TimeUnit.SECONDS.toNanos(WINDOW_SECONDS), limit.toNanos());
        int windows = 0;
        boolean over = limit.isZero();
        while (!over) {
            ThreadCpu windowStart = ThreadCpu.now();
            long windowEnd = System.nanoTime() + windowNanos;
            while (System.nanoTime() < windowEnd) {
                read(reader, predictions, dropped, Long.MIN_VALUE, Long.MAX_VALUE);
                load.check();
                scorer.failure().ifPresent(LatencyRun::failed);
            }
            windows++;
            boolean settled = jit.settledAfter(ThreadCpu.now().since(windowStart));
            over = settled || System.nanoTime() - start >= limit.toNanos();
        }
        figures.put("windows", windows);
        figures.put("seconds", ScorerBenchmark.round3((System.nanoTime() - start) / 1e9));
        figures.put("jit_share_of_last_window", ScorerBenchmark.round3(jit.lastShare()));
    }

    private static void measureWindow(KafkaConsumer<byte[], byte[]> reader, AvroSerde<Prediction> predictions,
            Scorer scorer, LoadGenerator load, long from, long until, Stages stages, ObjectNode figures) {
        Window window = new Window(scorer);
        long received = 0;
        long drainDeadline = Long.MAX_VALUE;
        while (!(load.measuredSent() >= 0 && received >= load.measuredSent())) {
            received += read(reader, predictions, stages, from, until);
            long now = System.currentTimeMillis();
            if (now >= from) {
                window.begin();
            }
            if (now >= until && window.end()) {
                drainDeadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
            }
            load.check();
            scorer.failure().ifPresent(LatencyRun::failed);
            if (System.nanoTime() > drainDeadline) {
                throw new IllegalStateException("only " + received + " of " + load.measuredSent()
                        + " measured predictions arrived within " + DRAIN_LIMIT.toSeconds() + " s of the last image");
            }
        }
        window.begin();
        window.end();
        window.put(figures);
        figures.put("transaction_p50_ms", ScorerBenchmark.round3(scorer.metrics().transactionMicros(50) / 1000.0));
        figures.put("transaction_p99_ms", ScorerBenchmark.round3(scorer.metrics().transactionMicros(99) / 1000.0));
    }

    /** Polls the reader once and records the predictions whose event times are in [from, until); returns how many. */
    private static long read(KafkaConsumer<byte[], byte[]> reader, AvroSerde<Prediction> predictions, Stages stages,
            long from, long until) {
        long recorded = 0;
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(POLL)) {
            long now = System.currentTimeMillis();
            Prediction p = predictions.deserializer().deserialize(r.topic(), r.value());
            long event = p.getEventTime().toEpochMilli();
            if (event >= from && event < until) {
                stages.record(p, now);
                recorded++;
            }
        }
        return recorded;
    }

    /** Readings at the measured window's start and end: CPU by thread group, images and batches committed. */
    private static final class Window {
        private final ScorerMetrics metrics;
        private ThreadCpu cpuAtStart;
        private ThreadCpu cpuAtEnd;
        private long imagesAtStart;
        private long batchesAtStart;
        private long images;
        private long batches;

        Window(Scorer scorer) {
            this.metrics = scorer.metrics();
        }

        void begin() {
            if (cpuAtStart == null) {
                cpuAtStart = ThreadCpu.now();
                imagesAtStart = metrics.imagesScored();
                batchesAtStart = metrics.batchesCommitted();
            }
        }

        /** Takes the end readings once; true the first time. */
        boolean end() {
            if (cpuAtEnd != null) {
                return false;
            }
            cpuAtEnd = ThreadCpu.now();
            images = metrics.imagesScored() - imagesAtStart;
            batches = metrics.batchesCommitted() - batchesAtStart;
            return true;
        }

        void put(ObjectNode figures) {
            ObjectNode cpu = figures.putObject("cpu_seconds_by_thread_group");
            cpuAtEnd.since(cpuAtStart).forEach(cpu::put);
            figures.put("mean_batch", ScorerBenchmark.round3((double) images / Math.max(1, batches)));
        }
    }

    private static void failed(Throwable cause) {
        throw new IllegalStateException("the scorer failed during the latency run", cause);
    }

    /**
     * The downstream reader as a latency-sensitive client would configure it: a parked fetch returns after at most
     * 10 ms instead of Kafka's default 500 ms, which would otherwise be measured as scoring latency.
     */
    private static Map<String, Object> readerConfig(KafkaSettings kafka) {
        Map<String, Object> config = kafka.consumer("bench-reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return config;
    }

    /**
     * Sends image events at the run's rate on its own thread, those due each millisecond together, stamped with the
     * time they are sent, and counts those stamped inside the measured window; it stops at the window's end. It keeps
     * its thread alive until stopped, so that its CPU time is still in /proc when the window's reading is taken.
     */
    private final class LoadGenerator {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private volatile long from = Long.MAX_VALUE;
        private volatile long until = Long.MAX_VALUE;
        /** How many images were stamped in the window, once all are sent; -1 before. */
        private volatile long measuredSent = -1;
        private volatile boolean stopped;
        private volatile Throwable failure;

        LoadGenerator(KafkaProducer<byte[], byte[]> producer) {
            this.producer = producer;
            this.thread = new Thread(this::run, "bench-load");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        /** Measures the images stamped from {@code fromMillis} (inclusive) to {@code untilMillis}, then stops sending. */
        void measure(long fromMillis, long untilMillis) {
            until = untilMillis;
            from = fromMillis;
        }

        long measuredSent() {
            return measuredSent;
        }

        /** Throws what stopped the load thread, if anything did. */
        void check() {
            if (failure != null) {
                throw new IllegalStateException("the load generator failed", failure);
            }
        }

        void stop() {
            stopped = true;
            LockSupport.unpark(thread);
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            try {
                long intervalNanos = Math.round(1e9 / rate);
                long start = System.nanoTime();
                long measured = 0;
                long i = 0;
                sending:
                while (!stopped) {
                    for (long now = System.nanoTime(); start + i * intervalNanos <= now; i++) {
                        long stamp = System.currentTimeMillis();
                        // Read after stamping: a stamp inside the window was taken after the window was set, so it is seen.
                        if (stamp >= until) {
                            break sending;
                        }
                        producer.send(ScorerBenchmark.record(topics.images(), images, (int) (i % images.size()), stamp));
                        if (stamp >= from) {
                            measured++;
                        }
                    }
                    LockSupport.parkNanos(Math.max(TICK_NANOS, start + i * intervalNanos - System.nanoTime()));
                }
                producer.flush();
                measuredSent = measured;
                while (!stopped) {
                    LockSupport.park(this);
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }
    }
}

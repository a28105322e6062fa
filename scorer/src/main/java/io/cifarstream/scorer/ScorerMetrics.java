package io.cifarstream.scorer;

import io.cifarstream.schemas.DeadLetterKind;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * What one scorer has done, for its Prometheus endpoint and its status line. Counts only committed work:
 * a batch's images and dead letters are counted once its transaction commits, so the figures agree with
 * what {@code read_committed} consumers see. Written by the scoring thread, read by any.
 *
 * <p>Metric names (all prefixed {@code cifarstream_scorer_}): {@code images_scored_total},
 * {@code predictions_total{model}}, {@code images_per_second}, {@code dead_letters_total{kind}},
 * {@code transactions_total{outcome}}, {@code batch_size} (histogram), {@code latency_seconds} (histogram,
 * event time to committed prediction), {@code scoring_latency_seconds} (histogram, record received to
 * prediction produced), {@code consumer_lag_records}, {@code model_info{model,version}},
 * {@code model_reloads_total}, {@code phase_seconds_total{phase}} (decode, score, commit, poll).
 */
public final class ScorerMetrics {

    static final String PREFIX = "cifarstream_scorer_";

    private final String instance;
    private final LongAdder imagesScored = new LongAdder();
    private final Map<String, LongAdder> predictionsByModel = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> deadLettersByKind = new ConcurrentHashMap<>();
    private final LongAdder committed = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    private final LongAdder producersReplaced = new LongAdder();
    private final LongAdder modelReloads = new LongAdder();
    private final AtomicLong consumerLag = new AtomicLong(-1);
    private final AtomicLong assignedPartitions = new AtomicLong();
    private final Map<String, String> modelVersions = new ConcurrentSkipListMap<>();
    private final PrometheusHistogram batchSizes;
    private final PrometheusHistogram latency = new PrometheusHistogram(PREFIX + "latency_seconds",
            "Event time to committed prediction.", 1e-6, 3_600_000_000L,
            1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
            5_000_000, 10_000_000, 60_000_000);
    private final PrometheusHistogram scoringLatency = new PrometheusHistogram(PREFIX + "scoring_latency_seconds",
            "Record received by the scorer to its prediction produced (decode, batching wait, inference).", 1e-6,
            3_600_000_000L, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000);
    private final PrometheusHistogram transactions = new PrometheusHistogram(PREFIX + "transaction_seconds",
            "One micro-batch's transaction, begin to committed (produce, offsets, commit).", 1e-6, 3_600_000_000L,
            1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000);
    private final LongAdder[] phaseNanos = Stream.generate(LongAdder::new).limit(Phase.values().length)
            .toArray(LongAdder[]::new);
    private final Object rateLock = new Object();
    private long rateImages;
    private long rateNanos = System.nanoTime();
    private volatile double imagesPerSecond;

    ScorerMetrics(String instance, int maxBatch) {
        this.instance = instance;
        long[] bounds = new long[Integer.SIZE - Integer.numberOfLeadingZeros(maxBatch) + 1];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = Math.min(1L << i, maxBatch);
        }
        this.batchSizes = new PrometheusHistogram(PREFIX + "batch_size", "Records per committed micro-batch.", 1,
                Math.max(2, maxBatch), java.util.Arrays.stream(bounds).distinct().toArray());
    }

    void batchCommitted(int records) {
        committed.increment();
        batchSizes.record(records);
    }

    void batchAborted() {
        aborted.increment();
    }

    void producerReplaced() {
        producersReplaced.increment();
    }

    void imagesScored(int images) {
        imagesScored.add(images);
    }

    void predictions(String model, int count) {
        predictionsByModel.computeIfAbsent(model, m -> new LongAdder()).add(count);
    }

    void deadLetter(DeadLetterKind kind) {
        deadLettersByKind.computeIfAbsent(kind.name(), k -> new LongAdder()).increment();
    }

    void latencyMicros(long micros) {
        latency.record(micros);
    }

    void scoringLatencyMicros(long micros) {
        scoringLatency.record(micros);
    }

    /** Where the scoring thread spends its time. */
    public enum Phase {
        /** Avro decoding, validation and pixel decoding into the batch. */
        DECODE,
        /** The model calls. */
        SCORE,
        /** Producing predictions and dead letters, sending offsets and committing the transaction. */
        COMMIT,
        /** In the consumer's poll: taking fetched records, and waiting for a fetch when none is left. */
        POLL
    }

    void phase(Phase phase, long nanos) {
        phaseNanos[phase.ordinal()].add(nanos);
    }

    /** Seconds the scoring thread has spent in {@code phase}. */
    public double phaseSeconds(Phase phase) {
        return phaseNanos[phase.ordinal()].sum() / 1e9;
    }

    void partitionsAssigned(int count) {
        assignedPartitions.addAndGet(count);
    }

    void partitionsGone(int count) {
        assignedPartitions.addAndGet(-count);
    }

    /** Partitions of the images topic this instance scores now. */
    public long assignedPartitions() {
        return assignedPartitions.get();
    }

    void consumerLag(long records) {
        consumerLag.set(records);
    }

    void modelVersion(String model, String version) {
        modelVersions.put(model, version);
    }

    void modelReloaded() {
        modelReloads.increment();
    }

    /** Images whose predictions were committed. */
    public long imagesScored() {
        return imagesScored.sum();
    }

    /** Committed dead letters of one kind. */
    public long deadLetters(String kind) {
        LongAdder count = deadLettersByKind.get(kind);
        return count == null ? 0 : count.sum();
    }

    /** Committed dead letters by kind. */
    public Map<String, Long> deadLetters() {
        Map<String, Long> copy = new TreeMap<>();
        deadLettersByKind.forEach((kind, count) -> copy.put(kind, count.sum()));
        return copy;
    }

    /** Transactions committed. */
    public long batchesCommitted() {
        return committed.sum();
    }

    /** Producers replaced because Kafka took no more writes from them (a transaction that outlived its timeout). */
    public long producersReplaced() {
        return producersReplaced.sum();
    }

    /** Transactions aborted (their records were read again). */
    public long batchesAborted() {
        return aborted.sum();
    }

    /** The version each model scores with now. */
    public Map<String, String> modelVersions() {
        return Map.copyOf(modelVersions);
    }

    void transactionTook(long micros) {
        transactions.record(micros);
    }

    /** A micro-batch transaction's duration at {@code percentile} (0-100), in microseconds. */
    public long transactionMicros(double percentile) {
        return transactions.percentile(percentile);
    }

    /** Event time to committed prediction at {@code percentile} (0-100), in microseconds. */
    public long latencyMicros(double percentile) {
        return latency.percentile(percentile);
    }

    /** Recomputes the images/s gauge over the time since the previous call. */
    void updateRate() {
        synchronized (rateLock) {
            long now = System.nanoTime();
            long images = imagesScored.sum();
            double seconds = (now - rateNanos) / 1e9;
            if (seconds > 0) {
                imagesPerSecond = (images - rateImages) / seconds;
            }
            rateImages = images;
            rateNanos = now;
        }
    }

    /** The one-line status the scorer prints every few seconds. */
    public String statusLine() {
        long lag = consumerLag.get();
        return String.format(Locale.ROOT,
                "scorer %s: %,d images scored (%,.0f/s), %,d dead letters, %,d batches (avg %.0f records),"
                        + " %,d aborted, latency p50 %.1f ms p99 %.1f ms, lag %s, models %s",
                instance, imagesScored(), imagesPerSecond, deadLetters().values().stream().mapToLong(Long::longValue).sum(),
                batchesCommitted(), batchSizes.count() == 0 ? 0.0 : batchAverage(), batchesAborted(),
                latency.percentile(50) / 1000.0, latency.percentile(99) / 1000.0,
                lag < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", lag), modelVersions);
    }

    private double batchAverage() {
        long batches = batchesCommitted();
        long consumed = imagesScored() + deadLetters().values().stream().mapToLong(Long::longValue).sum();
        return batches == 0 ? 0 : (double) consumed / batches;
    }

    /** The Prometheus text exposition (format 0.0.4) of every metric. */
    public String prometheusText() {
        StringBuilder out = new StringBuilder(4096);
        help(out, "images_scored_total", "counter", "Images whose predictions were committed.");
        sample(out, "images_scored_total", "", imagesScored());
        help(out, "predictions_total", "counter", "Committed predictions by model.");
        predictionsByModel.forEach((model, count) -> sample(out, "predictions_total", label("model", model), count.sum()));
        help(out, "images_per_second", "gauge", "Images scored per second over the last status interval.");
        out.append(PREFIX).append("images_per_second ").append(String.format(Locale.ROOT, "%.1f", imagesPerSecond))
                .append('\n');
        help(out, "dead_letters_total", "counter", "Committed dead letters by error kind.");
        deadLetters().forEach((kind, count) -> sample(out, "dead_letters_total", label("kind", kind), count));
        help(out, "transactions_total", "counter", "Micro-batch transactions by outcome.");
        sample(out, "transactions_total", label("outcome", "committed"), batchesCommitted());
        sample(out, "transactions_total", label("outcome", "aborted"), batchesAborted());
        help(out, "producers_replaced_total", "counter", "Transactional producers replaced after Kafka aborted a"
                + " transaction that outlived the transaction timeout.");
        sample(out, "producers_replaced_total", "", producersReplaced());
        help(out, "consumer_lag_records", "gauge", "Records on the assigned partitions not yet consumed (-1: unknown).");
        sample(out, "consumer_lag_records", "", consumerLag.get());
        help(out, "assigned_partitions", "gauge", "Partitions of the images topic this instance scores now.");
        sample(out, "assigned_partitions", "", assignedPartitions.get());
        help(out, "model_info", "gauge", "The version each model scores with now; 1 per model.");
        modelVersions.forEach((model, version) ->
                sample(out, "model_info", label("model", model) + "," + label("version", version), 1));
        help(out, "phase_seconds_total", "counter", "Time the scoring thread spent per phase: decode, score, commit, poll.");
        for (Phase phase : Phase.values()) {
            out.append(PREFIX).append("phase_seconds_total{").append(label("phase", phase.name().toLowerCase(Locale.ROOT)))
                    .append("} ").append(String.format(Locale.ROOT, "%.6f", phaseSeconds(phase))).append('\n');
        }
        help(out, "model_reloads_total", "counter", "Model files reloaded after they changed.");
        sample(out, "model_reloads_total", "", modelReloads.sum());
        batchSizes.writePrometheus(out);
        latency.writePrometheus(out);
        scoringLatency.writePrometheus(out);
        transactions.writePrometheus(out);
        return out.toString();
    }

    private static void help(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, long value) {
        out.append(PREFIX).append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private static String label(String name, String value) {
        return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}

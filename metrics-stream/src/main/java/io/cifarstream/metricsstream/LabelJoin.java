package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.schemas.Rejection;
import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.AvroDeserializer;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.RecordDecodeException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Joins predictions with their true class, partitioned by image id (both topics are keyed by it). Reads the
 * raw bytes of both topics (which one from the record's metadata) and decodes here, so an undecodable or
 * invalid record becomes a dead letter with its original bytes instead of a stopped stream.
 *
 * <ul>
 *   <li>Every prediction is passed on when first seen ({@link ScoredPrediction}), for the label-free views; with its
 *       label if that is already there.</li>
 *   <li>A prediction carrying a label is counted at once.</li>
 *   <li>One without waits for its {@link Label} up to {@code labelWait} (arrival = Kafka record timestamp) and is
 *       counted, as a {@link LabelledPrediction}, when it comes; a label that comes first waits for predictions the same way, and serves every model that scored the
 *       image.</li>
 *   <li>Each (image, model) pair is counted once: a marker kept for {@code labelWait} after counting makes a
 *       repeated prediction a duplicate and a later label for it no "unknown image".</li>
 *   <li>A label that matched nothing when its wait ends is dead-lettered as {@link DeadLetterKind#UNKNOWN_IMAGE_ID}
 *       and counted; a prediction that got no label is counted as expired.</li>
 * </ul>
 * State: {@link MetricsTopology#JOIN_STORE} by key (pending predictions, pending labels, counted markers; the
 * layout is {@link JoinEntry}'s), changelogged, so a restart resumes every wait; each entry holds its arrival and
 * expiry time, and an in-memory {@link ExpiryIndex}, rebuilt from the store at start, finds the due ones on a
 * stream-time punctuation (an expiry store of its own would cost a second changelog record per prediction).
 */
final class LabelJoin implements Processor<byte[], byte[], byte[], JoinOutcome> {

    /** The stage every dead letter of the metrics stream names. */
    static final String STAGE = "metrics-stream";

    private static final Duration EXPIRY_SCAN = Duration.ofSeconds(1);

    private final MetricsConfig config;
    private final StreamCounters counters;
    private final AvroDeserializer<Prediction> predictions = AvroSerde.predictions().deserializer();
    /** Each new prediction is decoded into this one record; what outlives the record is copied out of it. */
    private final Prediction decoded = new Prediction();
    private final Deserializer<Label> labels = AvroSerde.labels().deserializer();
    private final long waitMs;
    private ProcessorContext<byte[], JoinOutcome> context;
    private KeyValueStore<Bytes, byte[]> entries;
    private final ExpiryIndex expiries = new ExpiryIndex();

    LabelJoin(MetricsConfig config, StreamCounters counters) {
        this.config = config;
        this.counters = counters;
        this.waitMs = config.labelWait().toMillis();
    }

    @Override
    public void init(ProcessorContext<byte[], JoinOutcome> context) {
        this.context = context;
        this.entries = context.getStateStore(MetricsTopology.JOIN_STORE);
        try (KeyValueIterator<Bytes, byte[]> it = entries.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                expiries.add(JoinEntry.expiry(entry.value), entry.key);
            }
        }
        context.schedule(EXPIRY_SCAN, PunctuationType.STREAM_TIME, this::expire);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        if (source.topic().equals(config.topics().labels())) {
            processLabel(record, source);
        } else {
            processPrediction(record, source);
        }
    }

    private void processPrediction(Record<byte[], byte[]> record, RecordMetadata source) {
        Optional<Rejection> unusable = PredictionCheck.checkEnvelope(record.key(), record.value(), "prediction");
        if (unusable.isPresent()) {
            reject(record, source, unusable.get());
            return;
        }
        Prediction prediction;
        try {
            prediction = predictions.deserialize(source.topic(), ByteBuffer.wrap(record.value()), decoded);
        } catch (RecordDecodeException e) {
            reject(record, source, new Rejection(e.kind(), e.getMessage()));
            return;
        }
        Optional<Rejection> rejection = PredictionCheck.check(prediction)
                .or(() -> PredictionCheck.checkKey(record.key(), prediction.getImageId()));
        if (rejection.isPresent()) {
            reject(record, source, rejection.get());
            return;
        }
        String imageId = prediction.getImageId();
        String modelId = prediction.getModelId();
        Bytes pairKey = JoinEntry.key(JoinEntry.PENDING_PREDICTION, imageId, modelId);
        Bytes countedKey = JoinEntry.key(JoinEntry.COUNTED, imageId, modelId);
        if (entries.get(countedKey) != null || entries.get(pairKey) != null) {
            counters.increment(StreamCounters.Event.DUPLICATE_PREDICTION);
            return;
        }
        long now = record.timestamp();
        Integer label = prediction.getLabel();
        Bytes labelKey = JoinEntry.key(JoinEntry.PENDING_LABEL, imageId, null);
        byte[] pendingLabel = entries.get(labelKey);
        if (pendingLabel != null && now - JoinEntry.arrival(pendingLabel) <= waitMs) {
            if (label == null) {
                label = JoinEntry.label(pendingLabel);
            }
            JoinEntry.markMatched(pendingLabel); // no unknown-image report when it expires
            entries.put(labelKey, pendingLabel);
        }
        counters.increment(StreamCounters.Event.SCORED);
        if (label != null) {
            counters.increment(StreamCounters.Event.COUNTED);
            remember(countedKey, now, JoinEntry.EMPTY);
        } else {
            remember(pairKey, now, record.value());
        }
        context.forward(record.withValue(new JoinOutcome.ForModel(scored(prediction, label))));
    }

    private void processLabel(Record<byte[], byte[]> record, RecordMetadata source) {
        Optional<Rejection> unusable = PredictionCheck.checkEnvelope(record.key(), record.value(), "label");
        if (unusable.isPresent()) {
            reject(record, source, unusable.get());
            return;
        }
        Label label;
        try {
            label = labels.deserialize(source.topic(), record.value());
        } catch (RecordDecodeException e) {
            reject(record, source, new Rejection(e.kind(), e.getMessage()));
            return;
        }
        Optional<Rejection> rejection = PredictionCheck.check(label)
                .or(() -> PredictionCheck.checkKey(record.key(), label.getImageId()));
        if (rejection.isPresent()) {
            reject(record, source, rejection.get());
            return;
        }
        String imageId = label.getImageId();
        long now = record.timestamp();
        boolean matched = false;
        List<KeyValue<Bytes, byte[]>> waiting = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = entries.prefixScan(JoinEntry.prefix(JoinEntry.PENDING_PREDICTION, imageId),
                Serdes.Bytes().serializer())) {
            it.forEachRemaining(waiting::add);
        }
        for (KeyValue<Bytes, byte[]> pending : waiting) {
            if (now - JoinEntry.arrival(pending.value) > waitMs) {
                continue; // waited too long; its expiry will drop it
            }
            Prediction prediction = predictions.deserialize(config.topics().predictions(), JoinEntry.payload(pending.value));
            count(prediction, label.getLabel(), record);
            entries.delete(pending.key);
            remember(JoinEntry.key(JoinEntry.COUNTED, imageId, prediction.getModelId()), now, JoinEntry.EMPTY);
            matched = true;
        }
        if (!matched) {
            try (KeyValueIterator<Bytes, byte[]> it = entries.prefixScan(JoinEntry.prefix(JoinEntry.COUNTED, imageId),
                Serdes.Bytes().serializer())) {
                matched = it.hasNext();
            }
        }
        remember(JoinEntry.key(JoinEntry.PENDING_LABEL, imageId, null), now,
                JoinEntry.labelPayload(label.getLabel(), matched, source, record.key(), record.value()));
    }

    /**
     * The first sighting of a prediction, with its label when known ({@code label} null: not yet). Its image
     * statistics count only when it has all of them (a version-2 prediction has no chroma and detail).
     */
    private static ScoredPrediction scored(Prediction prediction, Integer label) {
        float[] statistics = null;
        if (prediction.getChannelMeans() != null && prediction.getImageChroma() != null) {
            statistics = new float[ImageStatistics.LENGTH];
            for (int c = 0; c < ImageStatistics.CHANNELS; c++) {
                statistics[ImageStatistics.MEAN + c] = prediction.getChannelMeans().get(c);
                statistics[ImageStatistics.STD + c] = prediction.getChannelStds().get(c);
            }
            statistics[ImageStatistics.CHROMA] = prediction.getImageChroma();
            statistics[ImageStatistics.DETAIL] = prediction.getImageDetail();
        }
        return new ScoredPrediction(prediction.getModelId(), prediction.getImageId(), prediction.getModelVersion(),
                logProbs(prediction), statistics, label == null ? ScoredPrediction.NO_LABEL : label,
                prediction.getEventTime().toEpochMilli());
    }

    /** A prediction that waited for its label, now counted with it. */
    private void count(Prediction prediction, int label, Record<byte[], byte[]> cause) {
        LabelledPrediction labelled = new LabelledPrediction(prediction.getModelId(), prediction.getImageId(),
                prediction.getModelVersion(), label, logProbs(prediction), prediction.getEventTime().toEpochMilli());
        counters.increment(StreamCounters.Event.COUNTED);
        context.forward(cause.withValue(new JoinOutcome.ForModel(labelled)));
    }

    private static float[] logProbs(Prediction prediction) {
        float[] logProbs = new float[prediction.getLogProbs().size()];
        for (int k = 0; k < logProbs.length; k++) {
            logProbs[k] = prediction.getLogProbs().get(k);
        }
        return logProbs;
    }

    private void reject(Record<byte[], byte[]> record, RecordMetadata source, Rejection rejection) {
        counters.deadLetter(rejection.kind());
        context.forward(record.withValue(JoinOutcome.Rejected.of(rejection, record, source, context.currentSystemTimeMs())));
    }

    /** Stores an entry (replacing any under its key) that expires after the wait, and indexes it. */
    private void remember(Bytes key, long arrival, byte[] payload) {
        long expiry = arrival + waitMs;
        entries.put(key, JoinEntry.encode(arrival, expiry, payload));
        expiries.add(expiry, key);
    }

    /** Drops what waited longer than the label wait; a label that matched nothing is reported. */
    private void expire(long streamTime) {
        if (streamTime == Long.MAX_VALUE) {
            return;
        }
        for (Bytes key : expiries.takeDue(streamTime, k -> {
            byte[] entry = entries.get(k);
            return entry == null ? Long.MIN_VALUE : JoinEntry.expiry(entry);
        })) {
            byte[] entry = entries.delete(key);
            if (entry == null) {
                continue;
            }
            byte kind = JoinEntry.kind(key);
            if (kind == JoinEntry.PENDING_PREDICTION) {
                counters.increment(StreamCounters.Event.UNLABELLED_EXPIRED);
            } else if (kind == JoinEntry.PENDING_LABEL && !JoinEntry.matched(entry)) {
                reportUnknownImage(entry, streamTime);
            }
        }
    }

    private void reportUnknownImage(byte[] entry, long streamTime) {
        JoinEntry.LabelSource source = JoinEntry.labelSource(entry);
        String imageId = labels.deserialize(source.topic(), source.value()).getImageId();
        Rejection rejection = new Rejection(DeadLetterKind.UNKNOWN_IMAGE_ID, "label for image " + imageId
                + " matched no prediction within the label wait of " + config.labelWait()
                + ": the image was never scored, or scored under another id; raise the label wait if predictions lag");
        counters.increment(StreamCounters.Event.UNKNOWN_IMAGE_LABEL);
        counters.deadLetter(rejection.kind());
        context.forward(new Record<>(source.key(), new JoinOutcome.Rejected(rejection.toDeadLetter(STAGE,
                source.key(), source.value(), source.topic(), source.partition(), source.offset(),
                Instant.ofEpochMilli(context.currentSystemTimeMs()))), streamTime));
    }
}

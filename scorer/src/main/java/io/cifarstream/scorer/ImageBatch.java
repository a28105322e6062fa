package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.Rejection;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.schemas.ModelReference;

/**
 * One micro-batch: up to {@code capacity} consumed records, scored in slices as it fills, the accepted ones decoded
 * into reused slots of one pixel array (slot {@code i} at {@code i * 3072}, CHW, ready for the model) with each
 * image's {@link ImageStatistics}, the rejected ones kept for dead letters, each model's log-probabilities once
 * scored, the model references to publish with it, and per partition the offset after the last record consumed,
 * which is what the batch's transaction commits. Every array is allocated once; {@link #clear()} only resets
 * counters. Not thread-safe: the scoring thread fills and scores it, then hands it to the {@link BatchCommitter} and
 * does not touch it until that commit is over.
 */
final class ImageBatch {

    private final int capacity;
    private final byte[] pixels;
    private final String[] ids;
    private final ConsumerRecord<byte[], ByteBuffer>[] records;
    private final long[] eventTimes;
    private final int[] labels;
    private final long[] receivedNanos;
    private final List<RejectedRecord> rejections = new ArrayList<>();
    private final float[] imageStatistics;
    private final float[][] logProbabilities;
    private final String[] modelVersions;
    private final List<ModelReference> references = new ArrayList<>();
    private long[] nextOffsets = new long[8];
    private int size;
    private int consumed;
    /** Slots {@code 0 .. scored-1} have every model's log-probabilities. */
    private int scored;

    /** No label: CIFAR-10 classes are 0-9, so a negative value cannot be one. */
    static final int NO_LABEL = -1;

    ImageBatch(int capacity, int models) {
        this.capacity = capacity;
        this.logProbabilities = new float[models][capacity * CifarShape.CLASSES];
        this.modelVersions = new String[models];
        this.pixels = new byte[capacity * CifarShape.PIXELS];
        this.imageStatistics = new float[capacity * ImageStatistics.LENGTH];
        this.ids = new String[capacity];
        this.records = newRecordArray(capacity);
        this.eventTimes = new long[capacity];
        this.labels = new int[capacity];
        this.receivedNanos = new long[capacity];
        Arrays.fill(nextOffsets, -1);
    }

    /** The pixels of all slots; the decoder writes slot {@link #size()} before calling {@link #accept}. */
    byte[] pixels() {
        return pixels;
    }

    /** Where the next accepted image's pixels go. */
    int nextSlotOffset() {
        return size * CifarShape.PIXELS;
    }

    /**
     * Takes the image whose pixels were just written at {@link #nextSlotOffset()}, and computes its channel
     * statistics into its slot (no allocation: exact integer sums over its 3072 bytes).
     */
    void accept(ConsumerRecord<byte[], ByteBuffer> record, String id, long eventTimeMillis, int label, long receivedAt) {
        ImageStatistics.compute(pixels, size * CifarShape.PIXELS, CifarShape.SIDE, CifarShape.SIDE,
                imageStatistics, size * ImageStatistics.LENGTH);
        ids[size] = id;
        records[size] = record;
        eventTimes[size] = eventTimeMillis;
        labels[size] = label;
        receivedNanos[size] = receivedAt;
        size++;
        consumed(record);
    }

    void reject(ConsumerRecord<byte[], ByteBuffer> record, Rejection rejection) {
        rejections.add(new RejectedRecord(record, rejection));
        consumed(record);
    }

    private void consumed(ConsumerRecord<byte[], ByteBuffer> record) {
        int partition = record.partition();
        if (partition >= nextOffsets.length) {
            int old = nextOffsets.length;
            nextOffsets = Arrays.copyOf(nextOffsets, Math.max(partition + 1, old * 2));
            Arrays.fill(nextOffsets, old, nextOffsets.length, -1);
        }
        nextOffsets[partition] = record.offset() + 1;
        consumed++;
    }

    /** Accepted images. */
    int size() {
        return size;
    }

    /** Accepted plus rejected records. */
    int consumed() {
        return consumed;
    }

    /** Most records (accepted plus rejected) the batch holds. */
    int capacity() {
        return capacity;
    }

    /** Accepted images already scored by every model: slots {@code 0 .. scored()-1}. */
    int scored() {
        return scored;
    }

    /** Slots {@code 0 .. slots-1} now have every model's log-probabilities. */
    void scoredUpTo(int slots) {
        scored = slots;
    }

    boolean isEmpty() {
        return consumed == 0;
    }

    String id(int slot) {
        return ids[slot];
    }

    /** The consumed record of an accepted image: its key, value and coordinates. */
    ConsumerRecord<byte[], ByteBuffer> record(int slot) {
        return records[slot];
    }

    long eventTime(int slot) {
        return eventTimes[slot];
    }

    int label(int slot) {
        return labels[slot];
    }

    long receivedNanos(int slot) {
        return receivedNanos[slot];
    }

    /**
     * The accepted images' statistics, {@link ImageStatistics#LENGTH} per slot in its layout (means of
     * R, G, B, standard deviations, chroma, detail), slot {@code i} at {@code i * ImageStatistics.LENGTH}.
     */
    float[] imageStatistics() {
        return imageStatistics;
    }

    /** Model {@code m}'s log-probabilities of the accepted images, 10 per slot, once scored. */
    float[] logProbabilities(int m) {
        return logProbabilities[m];
    }

    /** The version of model {@code m} that scored this batch. */
    String modelVersion(int m) {
        return modelVersions[m];
    }

    void scoredBy(int m, String version) {
        modelVersions[m] = version;
    }

    List<RejectedRecord> rejections() {
        return rejections;
    }

    /** Publishes {@code published} in this batch's transaction. */
    void publish(List<ModelReference> published) {
        references.addAll(published);
    }

    /** The model references this batch's transaction publishes. */
    List<ModelReference> references() {
        return references;
    }

    /** The offsets this batch's transaction commits: per partition, the offset after its last consumed record. */
    Map<TopicPartition, OffsetAndMetadata> offsetsToCommit(String topic) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < nextOffsets.length; p++) {
            if (nextOffsets[p] >= 0) {
                offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(nextOffsets[p]));
            }
        }
        return offsets;
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecord<byte[], ByteBuffer>[] newRecordArray(int capacity) {
        return (ConsumerRecord<byte[], ByteBuffer>[]) new ConsumerRecord<?, ?>[capacity];
    }

    /** Empties the batch; the slots are overwritten by the next one. */
    void clear() {
        Arrays.fill(ids, 0, size, null);
        Arrays.fill(records, 0, size, null);
        rejections.clear();
        references.clear();
        Arrays.fill(nextOffsets, -1);
        size = 0;
        consumed = 0;
        scored = 0;
    }
}

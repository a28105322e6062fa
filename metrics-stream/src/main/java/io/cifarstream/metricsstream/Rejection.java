package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetter;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * Why the metrics stream refused a record: a stable dead-letter {@code error_kind} and a message naming the
 * cause and the fix. {@link #toDeadLetter} turns it into the dead-letters topic's value.
 */
public record Rejection(String kind, String message) {

    /** The stage name written into every dead letter of this module. */
    public static final String STAGE = "metrics-stream";

    public static final String WRONG_SIZE = "WRONG_SIZE";
    public static final String NAN_LOG_PROB = "NAN_LOG_PROB";
    public static final String INFINITE_LOG_PROB = "INFINITE_LOG_PROB";
    public static final String NOT_NORMALIZED = "NOT_NORMALIZED";
    public static final String BAD_LABEL = "BAD_LABEL";
    public static final String MISSING_ID = "MISSING_ID";
    public static final String UNKNOWN_IMAGE_ID = "UNKNOWN_IMAGE_ID";
    public static final String TOMBSTONE = "TOMBSTONE";
    public static final String MISSING_KEY = "MISSING_KEY";
    public static final String KEY_MISMATCH = "KEY_MISMATCH";

    public Rejection {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** The dead letter of the record at {@code source} with these key and value bytes. */
    public DeadLetter toDeadLetter(byte[] key, byte[] value, RecordMetadata source, Instant failedAt) {
        return toDeadLetter(key, value, source.topic(), source.partition(), source.offset(), failedAt);
    }

    /** The dead letter of the record at {@code topic}, {@code partition}, {@code offset}. */
    public DeadLetter toDeadLetter(byte[] key, byte[] value, String topic, int partition, long offset, Instant failedAt) {
        return DeadLetter.newBuilder()
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setStage(STAGE)
                .setErrorKind(kind)
                .setMessage(message)
                .setFailedTime(failedAt)
                .build();
    }
}

package io.cifarstream.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * Why a stage refused a record: a {@link DeadLetterKind} and a message naming the cause and the fix.
 * {@link #toDeadLetter} turns it into the dead-letters topic's value.
 */
public record Rejection(DeadLetterKind kind, String message) {

    public Rejection {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The dead letter of the record at {@code topic}, {@code partition}, {@code offset} with these key and value bytes
     * (kept as they are, not copied), refused by {@code stage} at {@code failedAt}.
     */
    public DeadLetter toDeadLetter(String stage, byte[] key, byte[] value, String topic, int partition, long offset,
            Instant failedAt) {
        return DeadLetter.newBuilder()
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setStage(stage)
                .setErrorKind(kind.name())
                .setMessage(message)
                .setFailedTime(failedAt)
                .build();
    }
}

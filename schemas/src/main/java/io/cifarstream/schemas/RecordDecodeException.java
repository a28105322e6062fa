package io.cifarstream.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A Kafka value that could not be decoded into a record, with the {@link DeadLetterKind} a dead letter records
 * ({@code NOT_AVRO_SINGLE_OBJECT}, {@code UNKNOWN_SCHEMA} or {@code CORRUPT_RECORD}). The message names the cause and the fix.
 */
public final class RecordDecodeException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final DeadLetterKind kind;

    RecordDecodeException(DeadLetterKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    RecordDecodeException(DeadLetterKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why decoding failed. */
    public DeadLetterKind kind() {
        return kind;
    }
}

package io.cifarstream.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A Kafka value that could not be decoded into a record, with a {@link Kind} that dead-letter handling
 * records as the error kind. The message names the cause and the fix.
 */
public final class RecordDecodeException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** Why a value could not be decoded; the names are stable dead-letter error kinds. */
    public enum Kind {
        /** Too short for, or not starting with, the single-object header 0xC3 0x01 + 8-byte fingerprint. */
        NOT_AVRO_SINGLE_OBJECT,
        /** The header's schema fingerprint belongs to no writer schema the reader knows. */
        UNKNOWN_SCHEMA,
        /** Valid header, but the body is truncated, garbage, or longer than the record. */
        CORRUPT_RECORD
    }

    private final Kind kind;

    RecordDecodeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    RecordDecodeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why decoding failed. */
    public Kind kind() {
        return kind;
    }
}

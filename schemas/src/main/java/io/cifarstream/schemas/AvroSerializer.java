package io.cifarstream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes records of one type in Avro's single-object encoding (0xC3 0x01, the 8-byte little-endian
 * CRC-64-AVRO fingerprint of the schema, then the Avro binary body); a null record becomes null bytes
 * (a tombstone).
 *
 * <p>Thread-safe, so one instance may back a producer shared by many threads: each thread reuses its own
 * output buffer, and the only allocation per record is the returned array.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final ThreadLocal<ReusableOutput> buffers = ThreadLocal.withInitial(ReusableOutput::new);

    AvroSerializer(Schema schema, SpecificData model) {
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        ReusableOutput buffer = buffers.get();
        buffer.reset();
        try {
            encoder.encode(record, buffer);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode a " + schema.getName() + " for topic '" + topic
                    + "': " + e.getMessage() + ". Build records with " + schema.getName()
                    + ".newBuilder(), which rejects missing required fields.", e);
        }
        return buffer.toByteArray();
    }

    /** A byte sink reused across records; reset() keeps its grown capacity. */
    private static final class ReusableOutput extends ByteArrayOutputStream {
        ReusableOutput() {
            super(4096);
        }
    }
}

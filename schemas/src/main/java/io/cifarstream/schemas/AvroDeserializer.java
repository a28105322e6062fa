package io.cifarstream.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records of one type from Avro's single-object encoding, resolving each value's writer schema (named
 * by the fingerprint in its header) to the current reader schema. Null bytes become a null record
 * (a tombstone). Every failure is a {@link RecordDecodeException} whose kind says what was wrong.
 *
 * <p>Thread-safe: each thread reuses its own Avro decoder; the only allocation per value is the record (none with
 * {@link #deserialize(String, ByteBuffer, SpecificRecord)} but the strings in it).
 * Garbage that claims huge string, bytes or array lengths fails as {@link DeadLetterKind#CORRUPT_RECORD} instead of
 * allocating what it claims.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static final int HEADER_LENGTH = 10;
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private final Schema reader;
    private final long[] fingerprints;
    private final List<DatumReader<T>> datumReaders;
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    /** {@code writers} must already be checked resolvable by {@code reader} (see WriterSchemaHistory). */
    AvroDeserializer(Schema reader, List<Schema> writers, SpecificData classModel) {
        this.reader = reader;
        SpecificData model = new ReadingModel(reader, classModel);
        this.fingerprints = writers.stream().mapToLong(SchemaNormalization::parsingFingerprint64).toArray();
        this.datumReaders = writers.stream()
                .<DatumReader<T>>map(writer -> new RecordReader<>(writer, reader, model))
                .toList();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : decode(topic, data, 0, data.length, null);
    }

    /**
     * As {@link #deserialize(String, Headers, ByteBuffer)} (the value is read where it lies when the buffer has an
     * array, and its position is left alone), but reads into {@code reuse} (null: a new record) and returns it, so a
     * caller that decodes one value at a time and copies out what it keeps allocates no record and no buffer for a
     * {@code bytes} field per value: Avro refills such a field's old buffer when the new value fits. A value that
     * fails leaves {@code reuse} partly overwritten.
     */
    public T deserialize(String topic, ByteBuffer data, T reuse) {
        if (data == null) {
            return null;
        }
        if (data.hasArray()) {
            return decode(topic, data.array(), data.arrayOffset() + data.position(), data.remaining(), reuse);
        }
        byte[] copy = new byte[data.remaining()];
        data.get(data.position(), copy);
        return decode(topic, copy, 0, copy.length, reuse);
    }

    @Override
    public T deserialize(String topic, Headers headers, ByteBuffer data) {
        if (data == null) {
            return null;
        }
        if (data.hasArray()) {
            return decode(topic, data.array(), data.arrayOffset() + data.position(), data.remaining(), null);
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return decode(topic, copy, 0, copy.length, null);
    }

    private T decode(String topic, byte[] data, int offset, int length, T reuse) {
        if (length < HEADER_LENGTH || data[offset] != MARKER_0 || data[offset + 1] != MARKER_1) {
            throw notSingleObject(topic, data, offset, length);
        }
        long fingerprint = littleEndianLong(data, offset + 2);
        int writer = indexOf(fingerprint);
        if (writer < 0) {
            throw unknownSchema(topic, fingerprint);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, offset + HEADER_LENGTH, length - HEADER_LENGTH, decoders.get());
        decoders.set(decoder);
        T record;
        boolean consumedAll;
        try {
            record = datumReaders.get(writer).read(reuse, decoder);
            consumedAll = decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            throw corrupt(topic, fingerprint, describe(e), e);
        }
        if (!consumedAll) {
            throw corrupt(topic, fingerprint, "bytes are left over after the record", null);
        }
        return record;
    }

    private int indexOf(long fingerprint) {
        for (int i = 0; i < fingerprints.length; i++) {
            if (fingerprints[i] == fingerprint) {
                return i;
            }
        }
        return -1;
    }

    private static long littleEndianLong(byte[] data, int offset) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (data[offset + i] & 0xFFL);
        }
        return value;
    }

    private RecordDecodeException notSingleObject(String topic, byte[] data, int offset, int length) {
        String start = HexFormat.ofDelimiter(" ").withPrefix("0x").withUpperCase()
                .formatHex(data, offset, offset + Math.min(length, 4));
        return new RecordDecodeException(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT, "A " + length + "-byte value on topic '"
                + topic + "' is not an Avro single-object encoded " + reader.getName() + ": it "
                + (length == 0 ? "is empty" : "starts with " + start) + ", but must start with 0xC3 0x01 and an"
                + " 8-byte schema fingerprint (10 bytes before the body). Produce it with AvroSerde, or see the"
                + " wire format in the schemas README for non-Java clients.");
    }

    private RecordDecodeException unknownSchema(String topic, long fingerprint) {
        String known = Arrays.stream(fingerprints).mapToObj(AvroDeserializer::hex)
                .collect(Collectors.joining(", "));
        return new RecordDecodeException(DeadLetterKind.UNKNOWN_SCHEMA, "A value on topic '" + topic
                + "' was written with a schema this " + reader.getName() + " reader does not know: fingerprint "
                + hex(fingerprint) + " (CRC-64-AVRO of the writer schema's parsing canonical form, stored"
                + " little-endian in bytes 2-9). Known: " + known + ". If the producer uses another version of "
                + reader.getName() + ", add that writer's .avsc as schemas/src/main/resources/"
                + WriterSchemaHistory.DIRECTORY + "/" + reader.getName() + "-vN.avsc"
                + " (N = next free number) or pass it to AvroSerde.withWriterSchemas; if it is another record"
                + " type, the producer wrote to the wrong topic.");
    }

    private RecordDecodeException corrupt(String topic, long fingerprint, String what, Throwable cause) {
        return new RecordDecodeException(DeadLetterKind.CORRUPT_RECORD, "A value on topic '" + topic + "' has a valid "
                + reader.getName() + " header (fingerprint " + hex(fingerprint) + ") but a corrupt body: " + what
                + ". The value was truncated or altered after it was written, or its producer encoded it with"
                + " a schema other than the one its fingerprint names.", cause);
    }

    private static String describe(Exception e) {
        return e instanceof EOFException ? "it ends before the record does"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static String hex(long fingerprint) {
        return String.format("0x%016x", fingerprint);
    }
}

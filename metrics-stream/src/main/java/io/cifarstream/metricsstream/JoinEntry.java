package io.cifarstream.metricsstream;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The layout of {@link LabelJoin}'s entries in {@link MetricsTopology#JOIN_STORE}. Values are read and changed in
 * place through the accessors: a record's path reads a field or two of an entry, so it decodes nothing it does not
 * use. Integers are big-endian, strings UTF-8.
 *
 * <p>Key: the kind ({@link #PENDING_PREDICTION}, {@link #PENDING_LABEL} or {@link #COUNTED}), the image id, a 0
 * byte, then the model id (none in a pending label's key, which serves every model).
 *
 * <p>Value, by byte offset: at {@value #ARRIVAL} the arrival time (8 bytes, epoch ms, the Kafka record timestamp),
 * at {@value #EXPIRY} the expiry time (8 bytes), from {@value #PAYLOAD} the payload of its kind:
 * <ul>
 *   <li>pending prediction: the prediction's value as read from its topic;</li>
 *   <li>counted marker: nothing;</li>
 *   <li>pending label: at {@value #LABEL} the true class (1 byte), at {@value #MATCHED} whether a prediction
 *       matched it (1 byte, 0 or 1), from {@value #LABEL_SOURCE} the record it was read from, for its dead letter:
 *       partition (4 bytes), offset (8 bytes), and its topic, key and value, each as a length (4 bytes) then the
 *       bytes.</li>
 * </ul>
 */
final class JoinEntry {

    static final byte PENDING_PREDICTION = 'P';
    static final byte PENDING_LABEL = 'L';
    static final byte COUNTED = 'C';

    static final int ARRIVAL = 0;
    static final int EXPIRY = 8;
    static final int PAYLOAD = 16;
    static final int LABEL = PAYLOAD;
    static final int MATCHED = PAYLOAD + 1;
    static final int LABEL_SOURCE = PAYLOAD + 2;

    /** A counted marker's payload; zero-length, so one array serves every entry. */
    static final byte[] EMPTY = new byte[0];

    /** The record a pending label was read from: what its dead letter names and carries (arrays: equal by identity). */
    record LabelSource(String topic, int partition, long offset, byte[] key, byte[] value) {
    }

    private JoinEntry() {
    }

    /** The key of the entry of {@code kind} for an image and, except for a pending label, a model. */
    static Bytes key(byte kind, String imageId, String modelId) {
        byte[] id = imageId.getBytes(StandardCharsets.UTF_8);
        byte[] model = modelId == null ? EMPTY : modelId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(2 + id.length + model.length)
                .put(kind).put(id).put((byte) 0).put(model).array());
    }

    /** The prefix of every key of {@code kind} for the image: the entries of all models. */
    static Bytes prefix(byte kind, String imageId) {
        return key(kind, imageId, null);
    }

    static byte kind(Bytes key) {
        return key.get()[0];
    }

    static byte[] encode(long arrival, long expiry, byte[] payload) {
        return ByteBuffer.allocate(PAYLOAD + payload.length).putLong(arrival).putLong(expiry).put(payload).array();
    }

    static long arrival(byte[] entry) {
        return ByteBuffer.wrap(entry).getLong(ARRIVAL);
    }

    static long expiry(byte[] entry) {
        return ByteBuffer.wrap(entry).getLong(EXPIRY);
    }

    /** A copy of the payload: a pending prediction's value. */
    static byte[] payload(byte[] entry) {
        return Arrays.copyOfRange(entry, PAYLOAD, entry.length);
    }

    /** A pending label's payload; a null key is stored as an empty one. */
    static byte[] labelPayload(int label, boolean matched, RecordMetadata source, byte[] key, byte[] value) {
        byte[] topic = source.topic().getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = key == null ? EMPTY : key;
        return ByteBuffer.allocate(2 + 4 + 8 + 12 + topic.length + storedKey.length + value.length)
                .put((byte) label).put((byte) (matched ? 1 : 0))
                .putInt(source.partition()).putLong(source.offset())
                .putInt(topic.length).put(topic).putInt(storedKey.length).put(storedKey).putInt(value.length).put(value)
                .array();
    }

    /** A pending label's true class. */
    static int label(byte[] entry) {
        return entry[LABEL];
    }

    /** Whether a prediction matched the pending label: then its expiry reports nothing. */
    static boolean matched(byte[] entry) {
        return entry[MATCHED] != 0;
    }

    static void markMatched(byte[] entry) {
        entry[MATCHED] = 1;
    }

    /** The record a pending label was read from. */
    static LabelSource labelSource(byte[] entry) {
        ByteBuffer buffer = ByteBuffer.wrap(entry, LABEL_SOURCE, entry.length - LABEL_SOURCE);
        int partition = buffer.getInt();
        long offset = buffer.getLong();
        String topic = new String(chunk(buffer), StandardCharsets.UTF_8);
        byte[] key = chunk(buffer);
        byte[] value = chunk(buffer);
        return new LabelSource(topic, partition, offset, key, value);
    }

    private static byte[] chunk(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getInt()];
        buffer.get(bytes);
        return bytes;
    }
}

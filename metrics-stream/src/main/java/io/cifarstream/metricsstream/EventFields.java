package io.cifarstream.metricsstream;

import org.apache.kafka.common.errors.SerializationException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The field encodings the {@link ModelEvent}s share: strings as a 4-byte length and UTF-8, float arrays as a 1-byte
 * length and big-endian float32 bits. Reading checks lengths, so truncated bytes fail as a {@link SerializationException}.
 */
final class EventFields {

    private EventFields() {
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes {@link #putString} writes for a string of {@code utf8} bytes. */
    static int stringBytes(byte[] utf8) {
        return 4 + utf8.length;
    }

    static void putString(ByteBuffer out, byte[] utf8) {
        out.putInt(utf8.length).put(utf8);
    }

    static String getString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new SerializationException("a string of " + length + " bytes in " + in.remaining() + " remaining");
        }
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** The bytes {@link #putFloats} writes for {@code values}. */
    static int floatsBytes(float[] values) {
        return 1 + 4 * values.length;
    }

    static void putFloats(ByteBuffer out, float[] values) {
        out.put((byte) values.length);
        for (float value : values) {
            out.putFloat(value);
        }
    }

    static float[] getFloats(ByteBuffer in) {
        float[] values = new float[in.get() & 0xFF];
        for (int k = 0; k < values.length; k++) {
            values[k] = in.getFloat();
        }
        return values;
    }

    /** Runs {@code read} on {@code bytes}, turning a short or malformed buffer into a {@link SerializationException}. */
    static <T> T read(byte[] bytes, String what, java.util.function.Function<ByteBuffer, T> read) {
        try {
            return read.apply(ByteBuffer.wrap(bytes));
        } catch (BufferUnderflowException | NegativeArraySizeException | IllegalArgumentException e) {
            throw new SerializationException("truncated or malformed " + what + " of " + bytes.length + " bytes", e);
        }
    }
}

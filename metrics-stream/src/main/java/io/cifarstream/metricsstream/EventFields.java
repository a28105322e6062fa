package io.cifarstream.metricsstream;

import org.apache.kafka.common.errors.SerializationException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * The field encodings the {@link ModelEvent}s share: strings as a 4-byte length and UTF-8, float arrays as a 1-byte
 * length and big-endian float32 bits. Reading checks lengths, so truncated bytes fail as a {@link SerializationException}.
 */
final class EventFields {

    private EventFields() {
    }

    /** Each text in UTF-8. */
    static byte[][] utf8(String... texts) {
        byte[][] utf8 = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            utf8[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        return utf8;
    }

    /** The bytes {@link #putStrings} writes for strings of these UTF-8 bytes. */
    static int stringsBytes(byte[][] utf8) {
        int bytes = 0;
        for (byte[] string : utf8) {
            bytes += 4 + string.length;
        }
        return bytes;
    }

    static void putStrings(ByteBuffer out, byte[][] utf8) {
        for (byte[] string : utf8) {
            out.putInt(string.length).put(string);
        }
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

    /** The ids every event carries, checked. */
    static void requireIds(String modelId, String imageId, String modelVersion) {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(modelVersion, "modelVersion");
    }

    /** {@link #read} of bytes that must start with the format byte {@code format}, which {@code read} finds read. */
    static <T> T read(byte[] bytes, String what, byte format, Function<ByteBuffer, T> read) {
        return read(bytes, what, buffer -> {
            if (buffer.get() != format) {
                throw new SerializationException("unknown " + what + " format " + bytes[0]);
            }
            return read.apply(buffer);
        });
    }

    /** Runs {@code read} on {@code bytes}, turning a short or malformed buffer into a {@link SerializationException}. */
    static <T> T read(byte[] bytes, String what, Function<ByteBuffer, T> read) {
        try {
            return read.apply(ByteBuffer.wrap(bytes));
        } catch (BufferUnderflowException | NegativeArraySizeException | IllegalArgumentException e) {
            throw new SerializationException("truncated or malformed " + what + " of " + bytes.length + " bytes", e);
        }
    }
}

package io.cifarstream.metrics;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The frame the calibrated accumulators' bytes share: a format byte, the {@link CalibrationKey}, the record
 * count (a varint), then the accumulator's own body; and the checks every {@code fromBytes} makes: its format
 * byte, counts that add up, no trailing bytes, truncation reported as {@link IllegalArgumentException}.
 */
final class StateFormat {

    /** Reads an accumulator's body after the frame's header. */
    interface Body<T> {
        T read(CalibrationKey key, long count, ByteBuffer in);
    }

    private StateFormat() {
    }

    /** Bytes of the header. */
    static int headerBytes(long count) {
        return 1 + CalibrationKey.SIZE_BYTES + Leb128.size(count);
    }

    /** A buffer of {@code size} bytes with the header written. */
    static ByteBuffer start(int size, byte format, CalibrationKey key, long count) {
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(format);
        key.write(out);
        Leb128.write(out, count);
        return out;
    }

    /**
     * Reads a framed state.
     *
     * @throws IllegalArgumentException if the bytes are not a state of that format, or are truncated or longer
     */
    static <T> T read(byte[] bytes, byte format, String what, Body<T> body) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte actual = in.get();
            if (actual != format) {
                throw new IllegalArgumentException("not a " + what + " of format " + format + " (format byte " + actual
                        + ")");
            }
            CalibrationKey key = CalibrationKey.read(in);
            long count = Leb128.read(in);
            T state = body.read(key, count, in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes after a " + what);
            }
            return state;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated " + what + " bytes", e);
        }
    }

    /** {@code size} varint counts that must sum to {@code total}. */
    static long[] readCounts(ByteBuffer in, int size, long total, String what) {
        long[] counts = new long[size];
        long sum = 0;
        for (int i = 0; i < size; i++) {
            counts[i] = Leb128.read(in);
            if (counts[i] < 0) {
                throw new IllegalArgumentException("negative count in " + what + " at " + i);
            }
            sum += counts[i];
        }
        if (sum != total) {
            throw new IllegalArgumentException(what + " sum to " + sum + " but the count is " + total);
        }
        return counts;
    }
}

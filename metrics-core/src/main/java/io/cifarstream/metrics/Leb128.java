package io.cifarstream.metrics;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/** Unsigned LEB128 varints: 7 bits a byte, low bits first; small counts take one byte. */
final class Leb128 {

    private Leb128() {
    }

    static int size(long value) {
        int bits = 64 - Long.numberOfLeadingZeros(value | 1);
        return (bits + 6) / 7;
    }

    static void write(ByteBuffer out, long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.put((byte) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        out.put((byte) rest);
    }

    static long read(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b;
            try {
                b = in.get();
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("truncated varint at byte " + in.position(), e);
            }
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at byte " + in.position());
    }

    static int readInt(ByteBuffer in, String what) {
        long value = read(in);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " out of range: " + value);
        }
        return (int) value;
    }
}

package io.cifarstream.metrics;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The binary form of a {@link RocSketch}, as state stores and their Kafka changelogs hold it: a format
 * byte, the cell limit, the level (one byte), the cell count, then per cell in score order the key
 * delta and both counts (positive, then negative) as unsigned LEB128 varints, and beyond level 0 which
 * single score the cell holds: 0 if mixed, else 1 + its {@link LogOddsGrid#offsetInCell offset in the
 * cell}. Canonical: equal states, equal bytes, whatever slots their tables use.
 */
final class RocSketchCodec {

    private static final byte FORMAT = 1;

    private RocSketchCodec() {
    }

    /** The exact length of {@link #toBytes}. */
    static int sizeBytes(RocSketch sketch) {
        return sizeBytes(sketch, sketch.cells().sortedCells());
    }

    static byte[] toBytes(RocSketch sketch) {
        // Sorting the cells is the expensive part of a checkpoint: done once for both the size and the writing.
        long[] sorted = sketch.cells().sortedCells();
        ByteBuffer out = ByteBuffer.allocate(sizeBytes(sketch, sorted));
        out.put(FORMAT);
        Leb128.write(out, sketch.cellLimit());
        out.put((byte) sketch.level());
        Leb128.write(out, sorted.length);
        CellTable cells = sketch.cells();
        int level = sketch.level();
        long previous = 0;
        for (long cell : sorted) {
            int slot = CellTable.sortedSlot(cell);
            long key = CellTable.sortedKey(cell);
            Leb128.write(out, key - previous);
            Leb128.write(out, cells.positives(slot));
            Leb128.write(out, cells.negatives(slot));
            if (level > 0) {
                Leb128.write(out, singleCode(cells.single(slot), level));
            }
            previous = key;
        }
        return out.array();
    }

    // The size and the writing walk the cells alike but stay two plain loops: sharing one through a
    // LongConsumer puts a type check on every varint of a checkpoint (toBytes 40 % slower).
    private static int sizeBytes(RocSketch sketch, long[] sorted) {
        CellTable cells = sketch.cells();
        int level = sketch.level();
        int bytes = 1 + Leb128.size(sketch.cellLimit()) + 1 + Leb128.size(sorted.length);
        long previous = 0;
        for (long cell : sorted) {
            int slot = CellTable.sortedSlot(cell);
            long key = CellTable.sortedKey(cell);
            bytes += Leb128.size(key - previous) + Leb128.size(cells.positives(slot))
                    + Leb128.size(cells.negatives(slot));
            if (level > 0) {
                bytes += Leb128.size(singleCode(cells.single(slot), level));
            }
            previous = key;
        }
        return bytes;
    }

    /** 0 for a mixed cell, else 1 + the offset of its single score in the cell. */
    private static long singleCode(int single, int level) {
        return single == CellTable.MIXED ? 0 : 1L + LogOddsGrid.offsetInCell(single, level);
    }

    /**
     * Reads a whole byte array written by {@link #toBytes}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state (wrong format, truncated,
     *         trailing bytes, keys out of order or range)
     */
    static RocSketch fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        RocSketch sketch = readFrom(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes after a RocSketch");
        }
        return sketch;
    }

    /** Reads one sketch from {@code in}, leaving it after the sketch's last byte. */
    static RocSketch readFrom(ByteBuffer in) {
        try {
            byte format = in.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("not a RocSketch of format " + FORMAT + " (format byte "
                        + format + ")");
            }
            int cellLimit = RocSketch.checkedCellLimit(Leb128.readInt(in, "cell limit"));
            int level = in.get();
            if (level < 0 || level > LogOddsGrid.MAX_LEVEL) {
                throw new IllegalArgumentException("RocSketch level " + level + " outside 0.."
                        + LogOddsGrid.MAX_LEVEL);
            }
            int count = Leb128.readInt(in, "cell count");
            if (count > cellLimit) {
                throw new IllegalArgumentException("RocSketch holds " + count + " cells, above its limit "
                        + cellLimit);
            }
            // Sized for every cell at once, as growing by doubling would end up; no rehash on the way.
            CellTable cells = new CellTable(CellTable.MIN_SLOTS);
            cells.reserve(count);
            long positives = 0;
            long negatives = 0;
            long maxKey = LogOddsGrid.maxCell(level);
            long key = -1;
            for (int i = 0; i < count; i++) {
                long delta = Leb128.read(in);
                key = i == 0 ? delta : key + delta;
                if ((i > 0 && delta == 0) || key > maxKey || key < 0) {
                    throw new IllegalArgumentException("RocSketch cell key " + key + " out of order or range");
                }
                long p = Leb128.read(in);
                long n = Leb128.read(in);
                if (p < 0 || n < 0 || p + n <= 0) {
                    throw new IllegalArgumentException("RocSketch cell " + key + " has invalid counts " + p
                            + ", " + n);
                }
                int single = (int) key;
                if (level > 0) {
                    long code = Leb128.read(in);
                    if (code > (1L << level)) {
                        throw new IllegalArgumentException("RocSketch cell " + key + " has an invalid score code "
                                + code);
                    }
                    single = code == 0 ? CellTable.MIXED : LogOddsGrid.scoreKey((int) key, level, (int) code - 1);
                }
                cells.change((int) key, p, n, single);
                positives = Math.addExact(positives, p);
                negatives = Math.addExact(negatives, n);
            }
            return new RocSketch(cellLimit, level, cells, positives, negatives);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated RocSketch bytes", e);
        }
    }
}


package io.cifarstream.metricsstream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One model's journal entry being filled: up to {@link #RECORDS} consecutive records under one key, so the
 * journal's changelog carries one record per block and commit instead of one per prediction (the record cache
 * keeps only a block's latest version between commits, and a checkpoint deletes whole blocks).
 *
 * <p>Entry bytes: the format byte {@code 'B'}, then per record its length (4 bytes, big-endian) and its
 * {@link LabelledPrediction#toBytes()} bytes. Block {@code b} holds sequence numbers {@code b * RECORDS} onwards.
 * Not thread-safe: owned by the aggregation processor.
 */
final class JournalBlock {

    /**
     * Records per entry: ~80 bytes each, so an entry stays under 3 KB. Each append returns a fresh copy of the
     * entry (1.3 KB on average): the record cache keeps the array it is given until the commit, so a block cannot
     * grow in place. That short-lived copy is the price of a 16th of the changelog records.
     */
    static final int RECORDS = 32;
    private static final byte FORMAT = 'B';

    private byte[] bytes = new byte[1024];
    private int length;
    private long block = -1;

    /** The block holding sequence number {@code seq}. */
    static long blockOf(long seq) {
        return seq / RECORDS;
    }

    /** Appends the record with sequence number {@code seq} and returns the block's entry bytes so far. */
    byte[] append(long seq, byte[] record) {
        long of = blockOf(seq);
        if (of != block) {
            block = of;
            length = 0;
            ensure(1);
            bytes[length++] = FORMAT;
        }
        ensure(4 + record.length);
        ByteBuffer.wrap(bytes, length, 4).putInt(record.length);
        System.arraycopy(record, 0, bytes, length + 4, record.length);
        length += 4 + record.length;
        return Arrays.copyOf(bytes, length);
    }

    /** After a restore: continue block {@code block}, whose entry so far is {@code entry}. */
    void resume(long resumedBlock, byte[] entry) {
        block = resumedBlock;
        length = 0;
        ensure(entry.length);
        System.arraycopy(entry, 0, bytes, 0, entry.length);
        length = entry.length;
    }

    /** The records of an entry, in sequence order. */
    static List<LabelledPrediction> records(byte[] entry) {
        if (entry.length == 0 || entry[0] != FORMAT) {
            throw new IllegalStateException("a metrics journal entry is not in the block format of this version: the "
                    + "state was written by an older version; reset the application (kafka-streams-application-reset) "
                    + "and start it again");
        }
        List<LabelledPrediction> records = new ArrayList<>(RECORDS);
        ByteBuffer in = ByteBuffer.wrap(entry, 1, entry.length - 1);
        while (in.hasRemaining()) {
            byte[] record = new byte[in.getInt()];
            in.get(record);
            records.add(LabelledPrediction.fromBytes(record));
        }
        return records;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}

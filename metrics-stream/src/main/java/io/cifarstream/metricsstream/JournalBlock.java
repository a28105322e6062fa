package io.cifarstream.metricsstream;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * One model's journal entry being filled: up to {@link #RECORDS} consecutive records under one key, so the
 * journal's changelog carries one record per block and commit instead of one per prediction (the record cache
 * keeps only a block's latest version between commits, and a checkpoint deletes whole blocks).
 *
 * <p>Entry bytes: the format byte {@code 'B'}, then per record its length (4 bytes, big-endian) and its bytes
 * ({@link LabelledPrediction#toBytes()} in the labelled journal, {@link ScoredPrediction#toBytes()} in the
 * estimates' journal). Block {@code b} holds sequence numbers {@code b * RECORDS} onwards.
 * Not thread-safe: owned by the aggregation processor.
 */
final class JournalBlock {

    /**
     * Records per entry: ~80 bytes each in the labelled journal (~150 in the estimates', with the image statistics
     * and the model version), so an entry stays under 3 KB (5 KB). Each append returns a fresh copy of the entry
     * (1.3 KB, 2.4 KB on average): the record cache keeps the array it is given until the commit, so a block cannot
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

    /** The records of an entry, in sequence order, each read by {@code decode}. */
    static <T> List<T> records(byte[] entry, Function<byte[], T> decode) {
        if (entry.length == 0 || entry[0] != FORMAT) {
            throw new IllegalStateException("a metrics journal entry is not in the block format of this version: the "
                    + "state was written by an older version; reset the application (kafka-streams-application-reset) "
                    + "and start it again");
        }
        List<T> records = new ArrayList<>(RECORDS);
        ByteBuffer in = ByteBuffer.wrap(entry, 1, entry.length - 1);
        while (in.hasRemaining()) {
            byte[] record = new byte[in.getInt()];
            in.get(record);
            records.add(decode.apply(record));
        }
        return records;
    }

    /** The store key of a model's block: the model id's length (4 bytes) and UTF-8 bytes, then the block number. */
    static Bytes key(byte[] modelId, long block) {
        return Bytes.wrap(ByteBuffer.allocate(4 + modelId.length + 8).putInt(modelId.length).put(modelId).putLong(block)
                .array());
    }

    /** Reads the model id at the start of a journal or checkpoint key, leaving {@code key} positioned after it. */
    static String modelOf(ByteBuffer key) {
        byte[] model = new byte[key.getInt()];
        key.get(model);
        return new String(model, StandardCharsets.UTF_8);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}

package io.cifarstream.metricsstream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Journal blocks: 32 consecutive records under one key, read back in order, continued after a restore. */
class JournalBlockTest {

    private static LabelledPrediction record(long seq) {
        float[] logProbs = new float[10];
        java.util.Arrays.fill(logProbs, (float) Math.log(0.1));
        return new LabelledPrediction("m1", "img-" + seq, "v1", (int) (seq % 10), logProbs, 1_000 + seq);
    }

    @Test
    void aBlockHoldsThirtyTwoConsecutiveRecordsAndStartsAfreshAtTheNext() {
        JournalBlock block = new JournalBlock();
        byte[] entry = null;
        for (long seq = 0; seq < JournalBlock.RECORDS; seq++) {
            entry = block.append(seq, record(seq).toBytes());
            assertThat(JournalBlock.blockOf(seq)).isZero();
        }
        List<LabelledPrediction> records = JournalBlock.records(entry, LabelledPrediction::fromBytes);
        assertThat(records).hasSize(JournalBlock.RECORDS);
        assertThat(records.get(0).imageId()).isEqualTo("img-0");
        assertThat(records.get(31).imageId()).isEqualTo("img-31");

        byte[] next = block.append(32, record(32).toBytes());
        assertThat(JournalBlock.blockOf(32)).isEqualTo(1);
        assertThat(JournalBlock.records(next, LabelledPrediction::fromBytes)).extracting(LabelledPrediction::imageId).containsExactly("img-32");
    }

    @Test
    void aRestoredPartialBlockIsContinuedNotOverwritten() {
        JournalBlock before = new JournalBlock();
        byte[] stored = null;
        for (long seq = 64; seq < 70; seq++) {
            stored = before.append(seq, record(seq).toBytes());
        }
        JournalBlock after = new JournalBlock();
        after.resume(2, stored);
        byte[] continued = after.append(70, record(70).toBytes());
        assertThat(JournalBlock.records(continued, LabelledPrediction::fromBytes)).extracting(LabelledPrediction::imageId)
                .containsExactly("img-64", "img-65", "img-66", "img-67", "img-68", "img-69", "img-70");
    }

    @Test
    void labelledRecordsWrittenBeforeTheModelVersionWasJournalledReadBackWithAnEmptyVersion() {
        LabelledPrediction record = record(5);
        byte[] current = record.toBytes();
        java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(current.length - 4 - "v1".length());
        old.put(current, 0, old.capacity()).put(0, (byte) 1); // format 1 ended after the image id
        assertThat(LabelledPrediction.fromBytes(old.array()))
                .isEqualTo(new LabelledPrediction("m1", "img-5", "", 5, record.logProbs(), 1_005));
    }

    @Test
    void anEntryOfAnotherFormatNamesTheFix() {
        byte[] oldStyle = record(0).toBytes(); // one bare record per entry, as older versions wrote
        assertThatThrownBy(() -> JournalBlock.records(oldStyle, LabelledPrediction::fromBytes))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reset the application");
    }
}

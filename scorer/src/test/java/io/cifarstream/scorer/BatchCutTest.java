package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** When the scoring loop cuts a micro-batch that is not full; times in milliseconds for reading, as nanoseconds. */
class BatchCutTest {

    private static final long MS = 1_000_000L;
    private static final Duration LINGER = Duration.ofMillis(10);

    @Test
    void afterAQuietSpellARecordIsScoredAtOnce() {
        BatchCut cut = new BatchCut(LINGER, 1_000 * MS);
        cut.firstRecord(1_000 * MS);
        assertThat(cut.due(1_000 * MS, false, false)).isTrue();
        assertThat(cut.nanosUntilDue(1_000 * MS, false, false)).isZero();
    }

    @Test
    void underLoadBatchesAreCutAtMostOncePerLinger() {
        BatchCut cut = new BatchCut(LINGER, 0);
        cut.firstRecord(100 * MS);
        cut.cut(100 * MS);
        // The next batch's first record comes 2 ms later; the committer is already idle again at 5 ms.
        cut.firstRecord(102 * MS);
        assertThat(cut.due(105 * MS, false, false)).isFalse();
        assertThat(cut.nanosUntilDue(105 * MS, false, false)).isEqualTo(5 * MS);
        assertThat(cut.due(110 * MS, false, false)).as("a linger after the last cut").isTrue();
    }

    @Test
    void whileACommitIsInFlightTheBatchWaitsForItOrForItsOwnLinger() {
        BatchCut cut = new BatchCut(LINGER, 0);
        cut.cut(100 * MS);
        cut.firstRecord(104 * MS);
        assertThat(cut.due(111 * MS, true, false)).as("the last cut was long enough ago, but a commit is in flight").isFalse();
        assertThat(cut.nanosUntilDue(111 * MS, true, false)).isEqualTo(3 * MS);
        assertThat(cut.due(111 * MS, false, false)).as("the commit ended").isTrue();
        assertThat(cut.due(114 * MS, true, false)).as("linger after its first record, commit or not").isTrue();
    }

    @Test
    void aZeroLingerCutsEveryBatchAtOnce() {
        BatchCut cut = new BatchCut(Duration.ZERO, 0);
        cut.cut(50 * MS);
        cut.firstRecord(50 * MS);
        assertThat(cut.due(50 * MS, true, false)).isTrue();
    }

    @Test
    void inABacklogTheBatchIsCutWhenFullOrWhenItHasWaitedTooLongForMore() {
        BatchCut cut = new BatchCut(LINGER, 0);
        cut.cut(100 * MS);
        cut.firstRecord(200 * MS);
        assertThat(cut.due(250 * MS, false, true)).as("linger and the last cut do not cut a backlog batch").isFalse();
        assertThat(cut.nanosUntilDue(250 * MS, false, true)).isEqualTo(450 * MS);
        assertThat(cut.due(700 * MS, true, true)).as("half a second after its first record").isTrue();
        assertThat(cut.due(250 * MS, false, false)).as("the backlog is over: the usual rules").isTrue();
    }
}

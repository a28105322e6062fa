package io.cifarstream.scorer;

import java.time.Duration;

/**
 * When the scoring loop cuts its open micro-batch (besides when it is full): {@code linger} after the batch's first
 * record, or earlier when no commit is in flight and no batch was cut in the last {@code linger}. After a quiet spell
 * a record is scored at once; under load there is at most one transaction per {@code linger}, because a transaction
 * costs the broker about 2 ms of CPU whatever its size (measured: cut whenever the committer was idle, batches at half
 * load held ~25 images and the broker took half of the 2 cores).
 *
 * <p>While a backlog lasts the batch is cut when full (the loop's backlog batch), or {@link #BACKLOG_AGE} after its
 * first record if it has not filled by then: the records the lag promised are not arriving (a stalled fetch), and
 * what was read must not wait for them. Times are {@link System#nanoTime()} values.
 */
final class BatchCut {

    /** The oldest a backlog batch gets before it is cut unfilled. */
    static final Duration BACKLOG_AGE = Duration.ofMillis(500);

    private final long lingerNanos;
    private long first;
    private long lastCut;

    BatchCut(Duration linger, long now) {
        this.lingerNanos = linger.toNanos();
        this.lastCut = now - lingerNanos;
    }

    /** The open batch took its first record at {@code now}. */
    void firstRecord(long now) {
        first = now;
    }

    /** The open batch was cut at {@code now}. */
    void cut(long now) {
        lastCut = now;
    }

    /** Whether a non-empty open batch is due at {@code now}. */
    boolean due(long now, boolean commitInFlight, boolean backlog) {
        return nanosUntilDue(now, commitInFlight, backlog) == 0;
    }

    /** Nanoseconds from {@code now} until a non-empty open batch is due, if no commit ends meanwhile (0: due). */
    long nanosUntilDue(long now, boolean commitInFlight, boolean backlog) {
        long dueAt;
        if (backlog) {
            dueAt = first + BACKLOG_AGE.toNanos();
        } else {
            long deadline = first + lingerNanos;
            dueAt = commitInFlight ? deadline : Math.min(deadline, lastCut + lingerNanos);
        }
        return Math.max(0, dueAt - now);
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetter;

/** What the edge of the stream (the label join, the reference intake) emits: an event for a model's views, or a dead letter. */
sealed interface JoinOutcome {

    /** A prediction seen first, a label that completes one, or a model's reference: for the aggregation. */
    record ForModel(ModelEvent event) implements JoinOutcome {
    }

    /** A record refused, for the dead-letters topic. */
    record Rejected(DeadLetter deadLetter) implements JoinOutcome {
    }
}

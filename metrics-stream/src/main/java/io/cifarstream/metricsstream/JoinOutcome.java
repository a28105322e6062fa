package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetter;

/** What the label join emits: a prediction with its true class to count, or a dead letter. */
sealed interface JoinOutcome {

    /** A prediction joined with its label. */
    record Counted(LabelledPrediction prediction) implements JoinOutcome {
    }

    /** A record refused, for the dead-letters topic. */
    record Rejected(DeadLetter deadLetter) implements JoinOutcome {
    }
}

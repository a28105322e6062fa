package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.Rejection;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.time.Instant;

/** What the edge of the stream (the label join, the reference intake) emits: an event for a model's views, or a dead letter. */
sealed interface JoinOutcome {

    /** A prediction seen first, a label that completes one, or a model's reference: for the aggregation. */
    record ForModel(ModelEvent event) implements JoinOutcome {
    }

    /** A record refused, for the dead-letters topic. */
    record Rejected(DeadLetter deadLetter) implements JoinOutcome {

        /** The dead letter of {@code record}, read from {@code source}, refused at {@code failedAtMs} by this stream. */
        static Rejected of(Rejection rejection, Record<byte[], byte[]> record, RecordMetadata source, long failedAtMs) {
            return new Rejected(rejection.toDeadLetter(LabelJoin.STAGE, record.key(), record.value(), source.topic(),
                    source.partition(), source.offset(), Instant.ofEpochMilli(failedAtMs)));
        }
    }
}

package io.cifarstream.kafka;

import java.util.Optional;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * The errors after which a transactional producer takes no more calls, which Kafka makes fatal for that producer: it
 * was fenced or its epoch is stale (a successor registered the same transactional id, or the coordinator aborted a
 * transaction that outlived its timeout and moved the id to the next epoch), the coordinator forgot its producer id
 * mapping, or no longer has the transaction it commits (it aborted it). A new producer under the same transactional
 * id can go on. Consumer-group errors in {@code sendOffsetsToTransaction} (a stale generation after a rebalance),
 * which Kafka files under the same {@code ApplicationRecoverableException}, are not among them: they only abort the
 * transaction.
 */
public final class FatalProducerError {

    private FatalProducerError() {
    }

    /** The first such error among {@code e} and its causes. */
    public static Optional<KafkaException> in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof InvalidPidMappingException || t instanceof InvalidTxnStateException) {
                return Optional.of((KafkaException) t);
            }
        }
        return Optional.empty();
    }
}

package io.cifarstream.scorer;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scorer's transactional producer, replaceable. Kafka aborts a transaction left open longer than the
 * transaction timeout (a commit held up by a long outage, a stalled process) and moves its transactional id to the
 * next epoch; the producer then fails with an {@link org.apache.kafka.common.errors.ApplicationRecoverableException}
 * (fenced, or an invalid epoch) and cannot be used again. Kafka's remedy is a new producer under the same
 * transactional id, whose {@code initTransactions} takes the next epoch.
 */
final class TransactionalProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalProducer.class);

    private final String who;
    private final Supplier<KafkaProducer<byte[], byte[]>> factory;
    private volatile KafkaProducer<byte[], byte[]> current;
    private volatile boolean closed;

    private TransactionalProducer(String who, Supplier<KafkaProducer<byte[], byte[]>> factory,
            KafkaProducer<byte[], byte[]> first) {
        this.who = who;
        this.factory = factory;
        this.current = first;
    }

    /**
     * Creates the first producer and registers it, which fences any predecessor under the same transactional id.
     *
     * @throws org.apache.kafka.common.KafkaException when Kafka does not answer within the producer's
     *         {@code max.block.ms} or refuses the transactional id
     */
    static TransactionalProducer start(String who, Supplier<KafkaProducer<byte[], byte[]>> factory) {
        KafkaProducer<byte[], byte[]> first = factory.get();
        try {
            first.initTransactions();
        } catch (RuntimeException e) {
            first.close(Duration.ZERO);
            throw e;
        }
        return new TransactionalProducer(who, factory, first);
    }

    /** The producer to write with now. */
    KafkaProducer<byte[], byte[]> get() {
        return current;
    }

    /**
     * Closes the unusable producer without waiting (its transaction is aborted already) and registers a new one,
     * waiting as long as Kafka is still recovering, unless this is closed meanwhile.
     *
     * @throws IllegalStateException when this was closed before the new producer was registered
     */
    void replace() {
        current.close(Duration.ZERO);
        KafkaProducer<byte[], byte[]> next = factory.get();
        while (true) {
            try {
                next.initTransactions();
                break;
            } catch (TimeoutException e) {
                if (closed) {
                    next.close(Duration.ZERO);
                    throw new IllegalStateException(who + " was stopped while its new producer waited for Kafka", e);
                }
                LOG.warn("{}: registering its new producer is still waiting for Kafka ({}); waiting on", who,
                        e.getMessage());
            } catch (RuntimeException e) {
                next.close(Duration.ZERO);
                throw e;
            }
        }
        current = next;
        if (closed) {
            next.close(Duration.ZERO);
        }
    }

    /** The metrics of the producer in use. */
    Map<MetricName, ? extends Metric> metrics() {
        return current.metrics();
    }

    /** Closes the producer in use; it does not abort: a fenced producer's transactional id belongs to its successor. */
    void close(Duration timeout) {
        closed = true;
        current.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }
}

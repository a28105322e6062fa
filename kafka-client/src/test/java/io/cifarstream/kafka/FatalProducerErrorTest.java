package io.cifarstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.Test;

class FatalProducerErrorTest {

    @Test
    void aFenceOrAnAbortedTransactionIsFoundAmongTheCauses() {
        InvalidTxnStateException aborted = new InvalidTxnStateException("the coordinator aborted it");
        ProducerFencedException fenced = new ProducerFencedException("a successor");

        assertThat(FatalProducerError.in(aborted)).containsSame(aborted);
        assertThat(FatalProducerError.in(new KafkaException(
                "Cannot execute transactional method because we are in an error state", fenced))).containsSame(fenced);
    }

    @Test
    void aStaleGroupGenerationOrAnOutageOnlyAbortsTheTransaction() {
        assertThat(FatalProducerError.in(new IllegalGenerationException("rebalanced"))).isEmpty();
        assertThat(FatalProducerError.in(new UnknownMemberIdException("left"))).isEmpty();
        assertThat(FatalProducerError.in(new KafkaException(new CommitFailedException("left the group")))).isEmpty();
        assertThat(FatalProducerError.in(new TimeoutException("no broker"))).isEmpty();
    }
}

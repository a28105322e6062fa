package io.cifarstream.metricsstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

class StreamThreadRecoveryTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final StreamThreadRecovery recovery = new StreamThreadRecovery(3, Duration.ofMinutes(10), clock::get);

    @Test
    void threadsFailedOnKafkaErrorsAreReplacedUpToTheLimitWithinTheWindowAndTheInstanceStopsAtTheNext() {
        for (int i = 0; i < 3; i++) {
            assertThat(recovery.handle(new StreamsException(new ProducerFencedException("fenced")))).isEqualTo(REPLACE_THREAD);
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
        }
        assertThat(recovery.stopped()).isEmpty();

        StreamsException outage = new StreamsException("commit failed", new TimeoutException("no broker"));
        assertThat(recovery.handle(outage)).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(recovery.stopped()).hasValueSatisfying(stop -> {
            assertThat(stop.cause()).isSameAs(outage);
            assertThat(stop.reason()).isEqualTo("stream threads failed on Kafka errors more than 3 times within PT10M");
        });
    }

    @Test
    void aTransactionTheCoordinatorAbortedForItsAgeIsAKafkaErrorANewThreadGetsPast() {
        assertThat(recovery.handle(new StreamsException(new KafkaException("in an error state",
                new InvalidTxnStateException("aborted for its age"))))).isEqualTo(REPLACE_THREAD);
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        for (int i = 0; i < 3; i++) {
            assertThat(recovery.handle(new StreamsException(new TimeoutException("outage")))).isEqualTo(REPLACE_THREAD);
            clock.addAndGet(Duration.ofMinutes(4).toNanos());
        }
        // The first failure is 12 minutes old now, the second 8: two in the window, room for one more.
        assertThat(recovery.handle(new StreamsException(new TimeoutException("outage")))).isEqualTo(REPLACE_THREAD);
        assertThat(recovery.handle(new StreamsException(new TimeoutException("outage")))).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void anErrorANewThreadWouldMeetAgainStopsTheInstanceAtOnce() {
        IllegalStateException bug = new IllegalStateException("a processor bug");
        assertThat(recovery.handle(new StreamsException(new RecordTooLargeException("refused")))).isEqualTo(SHUTDOWN_CLIENT);

        StreamThreadRecovery fresh = new StreamThreadRecovery(3, Duration.ofMinutes(10), clock::get);
        assertThat(fresh.handle(bug)).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(fresh.stopped()).hasValueSatisfying(stop -> {
            assertThat(stop.cause()).isSameAs(bug);
            assertThat(stop.reason()).isEqualTo("a stream thread failed with an error that a new thread would meet again");
        });
    }

    @Test
    void withALimitOfZeroTheFirstKafkaErrorStopsTheInstance() {
        StreamThreadRecovery strict = new StreamThreadRecovery(0, Duration.ofMinutes(1), clock::get);

        assertThat(strict.handle(new StreamsException(new TimeoutException("x")))).isEqualTo(SHUTDOWN_CLIENT);
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.kafka.FatalProducerError;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What the metrics stream does when a stream thread dies of an exception. An error that a broker outage causes (a
 * retriable Kafka error that outlasted the retries, a transaction the coordinator aborted or fenced meanwhile) gets a
 * new thread in the dead one's place, up to {@code limit} times within {@code window}. Any other error (a record the
 * broker refuses, a bug) would only come back, so it stops the instance at once, and the cause is kept for the user.
 *
 * <p>Kafka Streams' own default stops the instance at the first error of any kind, while the HTTP API would go on
 * serving the last reports as if nothing had happened. A replaced thread is safe under exactly-once: the dead thread's
 * tasks are closed dirty, their open transaction aborted, and the new thread resumes them from their changelogs and
 * committed offsets, so nothing is lost or counted twice. Thread-safe: dying stream threads call it.
 */
final class StreamThreadRecovery implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadRecovery.class);

    /** Why the instance stopped: the text for the user, and the stream thread's exception. */
    record Stop(String reason, Throwable cause) {
    }

    private final int limit;
    private final Duration window;
    private final LongSupplier nanoTime;
    /** When the threads replaced within the window died, oldest first. */
    private final Deque<Long> replaced = new ArrayDeque<>();
    private Stop stop;

    /** At most {@code limit} replacements within {@code window}, timed by {@link System#nanoTime()}. */
    StreamThreadRecovery(int limit, Duration window) {
        this(limit, window, System::nanoTime);
    }

    StreamThreadRecovery(int limit, Duration window, LongSupplier nanoTime) {
        if (limit < 0) {
            throw new IllegalArgumentException("the replacement limit must be at least 0, got " + limit);
        }
        this.limit = limit;
        this.window = window;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        if (!fromBrokerOutage(exception)) {
            return stop("a stream thread failed with an error that a new thread would meet again", exception);
        }
        long now = nanoTime.getAsLong();
        while (!replaced.isEmpty() && now - replaced.peekFirst() >= window.toNanos()) {
            replaced.removeFirst();
        }
        if (replaced.size() >= limit) {
            return stop("stream threads failed on Kafka errors more than " + limit + " times within " + window, exception);
        }
        replaced.addLast(now);
        LOG.warn("A stream thread of the metrics stream failed on a Kafka error; a new one takes its place and resumes"
                + " its tasks from their changelogs and committed offsets, so nothing is lost or counted twice ({} of {}"
                + " replacements within {})", replaced.size(), limit, window, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private StreamThreadExceptionResponse stop(String reason, Throwable exception) {
        stop = new Stop(reason, exception);
        LOG.error("The metrics stream stops: {}", reason, exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** Why this instance stopped, once it did. */
    synchronized Optional<Stop> stopped() {
        return Optional.ofNullable(stop);
    }

    /** Whether the exception's causes include an error a broker outage leads to, which a fresh thread gets past. */
    static boolean fromBrokerOutage(Throwable exception) {
        if (FatalProducerError.in(exception).isPresent()) {
            return true;
        }
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof TransactionAbortableException
                    || t instanceof UnknownProducerIdException) {
                return true;
            }
        }
        return false;
    }
}

package io.cifarstream.kafka;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A check run every interval on one daemon thread until closed, as the watches over a client's connection and its
 * acknowledgements run theirs. A check that throws (a client closing under the watch) is logged at debug; the next
 * one sees the client's state.
 */
final class PeriodicCheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCheck.class);

    private final String threadName;
    private final String who;
    private final Runnable check;
    private ScheduledExecutorService checker;

    /**
     * @param threadName the checking thread's name
     * @param who        the component, as the debug line names it
     * @param check      what to run
     */
    PeriodicCheck(String threadName, String who, Runnable check) {
        this.threadName = threadName;
        this.who = who;
        this.check = check;
    }

    /** Starts the checks every {@code interval}, the first after one interval; a second call does nothing. */
    synchronized void start(Duration interval) {
        if (checker == null) {
            checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, threadName);
                thread.setDaemon(true);
                return thread;
            });
            checker.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void runQuietly() {
        try {
            check.run();
        } catch (RuntimeException e) {
            LOG.debug("{}: {} check failed: {}", who, threadName, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
    }
}

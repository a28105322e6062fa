package io.cifarstream.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's shutdown (SIGTERM, Ctrl-C) as a stop request to a long-running command, registered before the command
 * starts anything: the shutdown asks for the stop, then waits, for at most its patience, until the command has closed
 * what it started. A JVM that exits while a start is still under way unloads native libraries' globals under it:
 * ONNX Runtime building its session was seen to crash so (SIGBUS, exit code 134 instead of SIGTERM's 143, a scorer
 * stopped 8 s into a slow start).
 */
final class StopSignal implements AutoCloseable {

    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Duration patience;
    private final Thread hook;

    StopSignal(String name, Duration patience) {
        this.patience = patience;
        this.hook = new Thread(this::stopAndWait, name);
    }

    /** A signal whose shutdown hook is registered now. */
    static StopSignal register(String name, Duration patience) {
        StopSignal signal = new StopSignal(name, patience);
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    /** What the shutdown hook runs: asks for the stop, then waits for {@link #close()} or the patience to run out. */
    void stopAndWait() {
        asked.countDown();
        try {
            closed.await(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code timeout} for a stop request; true once one came. */
    boolean awaitStop(Duration timeout) throws InterruptedException {
        return asked.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latch that opens when a stop is asked for, for commands that wait on it themselves. */
    CountDownLatch asked() {
        return asked;
    }

    /** The command ends on its own (it failed): the JVM's exit need not wait for it. */
    void unregister() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs already; close() lets it go on.
        }
    }

    /** What the command started is closed: a shutdown waiting for it goes on. */
    @Override
    public void close() {
        closed.countDown();
    }
}

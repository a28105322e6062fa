package io.cifarstream.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import sun.misc.Signal;

/**
 * SIGTERM, SIGINT (Ctrl-C) and SIGHUP as a stop request that a long-running command handles itself, instead of the
 * JVM's shutdown. That shutdown starts every hook at once, ONNX Runtime's among them, which releases the library's
 * environment: a model still loading or scoring then crashes in native code (seen on CI: SIGBUS and SIGSEGV in
 * {@code OrtSession.createSession}, exit code 134, a scorer stopped during its start, even with the command's own
 * hook waiting for it). Here the command closes what it started first and then exits with the signal's code (128 +
 * its number: 143 after SIGTERM), and the hooks run after that. A second signal ends the process at once.
 */
final class StopSignal {

    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP");

    private final CountDownLatch asked = new CountDownLatch(1);
    private volatile int exitCode;

    /** Handles the signals from now on: install it before the command starts anything. */
    static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : SIGNALS) {
            try {
                Signal.handle(new Signal(name), signal -> stop.received(128 + signal.getNumber()));
            } catch (IllegalArgumentException reservedByTheJvm) {
                // Under -Xrs or a host that owns the signal, the JVM's own handling stays.
            }
        }
        return stop;
    }

    /** A signal came: the first asks for the stop, a second ends the process at once. */
    void received(int code) {
        if (asked.getCount() == 0) {
            Runtime.getRuntime().halt(code);
        }
        exitCode = code;
        asked.countDown();
    }

    /** Waits up to {@code timeout} for a stop request; true once one came. */
    boolean awaitStop(Duration timeout) throws InterruptedException {
        return asked.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Ends the step in progress with {@link Asked} once a stop is asked for: for a command whose steps run one after
     * another, each checking between its units of work, so that the command closes what it started on the way out.
     */
    void throwIfAsked() {
        if (asked.getCount() == 0) {
            throw new Asked();
        }
    }

    /** Waits {@code pause} unless a stop is asked for first, then throws {@link Asked}: for a command's waiting loops. */
    void pause(Duration pause) throws InterruptedException {
        awaitStop(pause);
        throwIfAsked();
    }

    /** Thrown by {@link #throwIfAsked()} and {@link #pause}: a stop was asked for, not a failure. */
    static final class Asked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Asked() {
            super("a stop was asked for", null, false, false);
        }
    }

    /** The latch that opens when a stop is asked for, for commands that wait on it themselves. */
    CountDownLatch asked() {
        return asked;
    }

    /** The exit code the stop asks for (128 + the signal's number), 0 while none came. */
    int exitCode() {
        return exitCode;
    }
}

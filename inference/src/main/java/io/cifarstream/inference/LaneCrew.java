package io.cifarstream.inference;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import io.cifarstream.console.Uninterruptibly;

/**
 * The threads that run lanes 1.. of a call; lane 0 is the calling thread itself, so one lane needs no thread at all.
 * {@link #run} starts the helpers, works as lane 0, waits for every helper and rethrows the first failure;
 * {@link #start} starts the helpers only, and the caller works as lane 0 later, when it calls {@code finish}. Daemon
 * threads named after the lane and the model file, so a thread dump says what they are.
 */
final class LaneCrew implements AutoCloseable {
    private final int lanes;
    /** Runs lanes 1..; null with one lane. */
    private final ExecutorService helpers;

    LaneCrew(int lanes, String name) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
        }
        this.lanes = lanes;
        this.helpers = lanes == 1 ? null : Executors.newFixedThreadPool(lanes - 1, new Named(name));
    }

    int lanes() {
        return lanes;
    }

    /**
     * Runs {@code lane.accept(i)} for lanes {@code i = 0 .. n-1} at once, lane 0 on the calling thread, and returns when
     * all are done; the first failure is rethrown after every lane has stopped.
     */
    void run(int n, IntConsumer lane) {
        start(n, lane).finish();
    }

    /**
     * Starts lanes {@code 1 .. n-1} of {@code lane} on the helper threads and returns at once: the caller runs lane 0
     * when it calls {@link Started#finish()}, so it can do other work while the helpers begin.
     */
    Started start(int n, IntConsumer lane) {
        if (n < 1 || n > lanes) {
            throw new IllegalArgumentException("n must be 1 to " + lanes + ", got " + n);
        }
        Future<?>[] running = new Future<?>[n - 1];
        for (int i = 1; i < n; i++) {
            int index = i;
            running[i - 1] = helpers.submit(() -> lane.accept(index));
        }
        return new Started(lane, running);
    }

    /** Lanes started by {@link #start}: lane 0 waits for its caller. */
    static final class Started {
        private final IntConsumer lane;
        private final Future<?>[] running;

        private Started(IntConsumer lane, Future<?>[] running) {
            this.lane = lane;
            this.running = running;
        }

        /** Runs lane 0 on the calling thread, waits for every helper and rethrows the first failure. */
        void finish() {
            RuntimeException failure = null;
            try {
                lane.accept(0);
            } catch (RuntimeException e) {
                failure = e;
            }
            for (Future<?> helper : running) {
                try {
                    Uninterruptibly.get(helper);
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }

    private static final class Named implements ThreadFactory {
        private final String name;
        private final AtomicInteger created = new AtomicInteger();

        Named(String name) {
            this.name = name;
        }

        @Override
        public Thread newThread(Runnable work) {
            Thread thread = new Thread(work, "onnx-lane-" + created.incrementAndGet() + "-" + name);
            thread.setDaemon(true);
            return thread;
        }
    }
}

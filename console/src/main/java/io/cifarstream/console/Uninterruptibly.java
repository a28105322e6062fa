package io.cifarstream.console;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waits for a future to the end even if the waiting thread is interrupted, then restores the interrupt. For work
 * that must settle before the caller goes on (a commit in flight, a lane's share of a batch): abandoning the wait
 * would leave it running against state the caller is about to reuse.
 */
public final class Uninterruptibly {

    private Uninterruptibly() {
    }

    /** {@link Future#get()}, through interrupts; the interrupt status is set again afterwards if one came. */
    public static void get(Future<?> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    future.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

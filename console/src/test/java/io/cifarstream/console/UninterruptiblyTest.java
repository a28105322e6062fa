package io.cifarstream.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

/** An interrupt does not cut the wait short; it is kept for the caller, and a failure still comes through. */
class UninterruptiblyTest {

    @Test
    void waitsThroughAnInterruptAndRestoresIt() throws Exception {
        CompletableFuture<String> work = new CompletableFuture<>();
        boolean[] sawInterrupt = new boolean[1];
        boolean[] doneWhenReturned = new boolean[1];
        Thread waiter = new Thread(() -> {
            try {
                Uninterruptibly.get(work);
                doneWhenReturned[0] = work.isDone();
                sawInterrupt[0] = Thread.currentThread().isInterrupted();
            } catch (ExecutionException e) {
                throw new AssertionError(e);
            }
        });
        waiter.start();
        waiter.interrupt();
        Thread.sleep(50); // the waiter is interrupted while the work is still running
        assertThat(waiter.isAlive()).as("still waiting after the interrupt").isTrue();
        work.complete("done");
        waiter.join(10_000);
        assertThat(doneWhenReturned[0]).isTrue();
        assertThat(sawInterrupt[0]).as("the interrupt is set again").isTrue();
    }

    @Test
    void aFailedFutureThrowsItsCause() {
        CompletableFuture<String> work = CompletableFuture.failedFuture(new IllegalStateException("broken"));
        assertThatThrownBy(() -> Uninterruptibly.get(work)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }
}

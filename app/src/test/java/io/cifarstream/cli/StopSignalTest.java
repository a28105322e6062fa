package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The shutdown's stop request: it reaches the command at once, and the shutdown waits until the command closed. */
class StopSignalTest {

    @Test
    void aShutdownDuringTheStartWaitsUntilWhatStartedIsClosed() throws Exception {
        StopSignal signal = new StopSignal("test-shutdown", Duration.ofMinutes(1));
        CountDownLatch startGoesOn = new CountDownLatch(1);
        CompletableFuture<String> command = CompletableFuture.supplyAsync(() -> {
            try (signal) {
                startGoesOn.await(); // a start that takes a while: the shutdown comes in the middle of it
                return signal.awaitStop(Duration.ZERO) ? "started, then stopped" : "started, no stop";
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(signal::stopAndWait);
        assertThat(signal.awaitStop(Duration.ofSeconds(10))).as("the stop reaches the command at once").isTrue();
        assertThat(signal.asked().getCount()).isZero();
        Thread.sleep(200);
        assertThat(shutdown).as("the shutdown waits while the command starts").isNotDone();

        startGoesOn.countDown();
        assertThat(command.get(10, TimeUnit.SECONDS)).isEqualTo("started, then stopped");
        shutdown.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theShutdownGoesOnAfterItsPatienceWhenTheCommandNeverCloses() throws Exception {
        StopSignal signal = new StopSignal("test-shutdown", Duration.ofMillis(300));
        long start = System.nanoTime();

        signal.stopAndWait();

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(signal.awaitStop(Duration.ZERO)).isTrue();
    }

    @Test
    void withoutAShutdownTheCommandWaitsOnlyAsLongAsItAsks() throws Exception {
        try (StopSignal signal = new StopSignal("test-shutdown", Duration.ofMinutes(1))) {
            assertThat(signal.awaitStop(Duration.ofMillis(50))).isFalse();
            assertThat(signal.asked().getCount()).isOne();
        }
    }

    @Test
    void aRegisteredSignalCanBeUnregisteredWhenTheCommandEndsOnItsOwn() {
        StopSignal signal = StopSignal.register("test-shutdown", Duration.ofMinutes(1));
        signal.unregister();
        signal.unregister(); // twice is harmless: the hook is gone
        signal.close();
    }
}

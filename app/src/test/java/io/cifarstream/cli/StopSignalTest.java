package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A signal as the command's stop request: it reaches the command at once, whatever the command is doing, and the
 * command exits with the signal's code once it has closed what it started. (The handlers themselves are installed by
 * the commands; {@code ScorerStopDuringStartTest} sends a real SIGTERM to a starting scorer.)
 */
class StopSignalTest {

    @Test
    void aStopDuringTheStartIsSeenOnceTheStartIsOverWithTheSignalsExitCode() throws Exception {
        StopSignal stop = new StopSignal();
        CountDownLatch startGoesOn = new CountDownLatch(1);
        CompletableFuture<Integer> command = CompletableFuture.supplyAsync(() -> {
            try {
                startGoesOn.await(); // a start that takes a while: the signal comes in the middle of it
                return stop.awaitStop(Duration.ZERO) ? stop.exitCode() : -1;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        stop.received(143); // SIGTERM: 128 + 15
        assertThat(stop.awaitStop(Duration.ofSeconds(10))).isTrue();
        assertThat(stop.asked().getCount()).isZero();
        assertThat(command).as("the start goes on undisturbed").isNotDone();

        startGoesOn.countDown();
        assertThat(command.get(10, TimeUnit.SECONDS)).isEqualTo(143);
    }

    @Test
    void aCommandWhoseStepsCheckForTheStopIsEndedByItInsideAWaitOrAtItsNextCheck() throws Exception {
        StopSignal stop = new StopSignal();
        stop.throwIfAsked();
        long start = System.nanoTime();
        stop.pause(Duration.ofMillis(50));
        assertThat(System.nanoTime() - start).as("no stop: the pause is as long as asked").isGreaterThanOrEqualTo(50_000_000L);

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                stop.pause(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        stop.received(130); // Ctrl-C: 128 + 2
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StopSignal.Asked.class);
        assertThatThrownBy(stop::throwIfAsked).isInstanceOf(StopSignal.Asked.class);
        assertThat(stop.exitCode()).isEqualTo(130);
    }

    @Test
    void withoutASignalTheCommandWaitsOnlyAsLongAsItAsksAndWouldExitNormally() throws Exception {
        StopSignal stop = new StopSignal();

        assertThat(stop.awaitStop(Duration.ofMillis(50))).isFalse();
        assertThat(stop.asked().getCount()).isOne();
        assertThat(stop.exitCode()).isZero();
    }
}

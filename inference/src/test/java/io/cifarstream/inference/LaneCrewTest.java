package io.cifarstream.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class LaneCrewTest {

    @Test
    void laneZeroRunsOnTheCallerAndTheOthersOnNamedDaemonThreadsAllAtOnce() throws Exception {
        try (LaneCrew crew = new LaneCrew(3, "model.onnx")) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch allStarted = new CountDownLatch(3);
            Thread caller = Thread.currentThread();
            crew.run(3, lane -> {
                threads.add(lane + ":" + (Thread.currentThread() == caller ? "caller"
                        : Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? "/daemon" : "")));
                allStarted.countDown();
                awaitUninterruptibly(allStarted); // returns only if all three lanes run at the same time
            });
            assertThat(threads).hasSize(3).contains("0:caller")
                    .allSatisfy(t -> assertThat(t).matches("0:caller|[12]:onnx-lane-[12]-model\\.onnx/daemon"));
        }
    }

    @Test
    void fewerLanesThanTheCrewRunsOnlyThose() {
        try (LaneCrew crew = new LaneCrew(4, "m")) {
            AtomicInteger ran = new AtomicInteger();
            crew.run(2, lane -> ran.incrementAndGet());
            assertThat(ran).hasValue(2);
            assertThatThrownBy(() -> crew.run(5, lane -> { })).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFailureOnAnyLaneIsRethrownAfterEveryLaneHasStopped() {
        try (LaneCrew crew = new LaneCrew(2, "m")) {
            AtomicInteger finished = new AtomicInteger();
            assertThatThrownBy(() -> crew.run(2, lane -> {
                if (lane == 1) {
                    throw new IllegalStateException("lane 1 broke");
                }
                sleep(50);
                finished.incrementAndGet();
            })).isInstanceOf(IllegalStateException.class).hasMessage("lane 1 broke");
            assertThat(finished).hasValue(1);
        }
    }

    @Test
    void startedLanesRunAtOnceAndLaneZeroOnlyWhenTheCallerFinishes() {
        try (LaneCrew crew = new LaneCrew(2, "m")) {
            Thread caller = Thread.currentThread();
            CountDownLatch helperRan = new CountDownLatch(1);
            AtomicInteger laneZero = new AtomicInteger();
            LaneCrew.Started started = crew.start(2, lane -> {
                if (lane == 0) {
                    assertThat(Thread.currentThread()).isSameAs(caller);
                    laneZero.incrementAndGet();
                } else {
                    helperRan.countDown();
                }
            });
            awaitUninterruptibly(helperRan); // lane 1 ran while the caller did something else
            assertThat(laneZero).hasValue(0);
            started.finish();
            assertThat(laneZero).hasValue(1);
        }
    }

    @Test
    void oneLaneNeedsNoThread() {
        try (LaneCrew crew = new LaneCrew(1, "m")) {
            Thread caller = Thread.currentThread();
            crew.run(1, lane -> assertThat(Thread.currentThread()).isSameAs(caller));
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

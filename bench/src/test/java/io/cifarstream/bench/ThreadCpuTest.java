package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

/** CPU time is read per thread from /proc and lands in the group its thread's name says. */
class ThreadCpuTest {

    @Test
    void aBusyScorerThreadsCpuTimeLandsInTheScorerGroup() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ThreadCpu before = ThreadCpu.now();
        CountDownLatch burnt = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        Thread busy = new Thread(() -> {
            long sink = 0;
            // Spins until this thread has used 300 ms of CPU, however long that takes on a shared machine.
            while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
                sink += System.nanoTime() % 7;
            }
            if (sink == 42) {
                System.out.print("");
            }
            burnt.countDown();
            // A thread's time is in /proc only while it lives: it waits for the reading.
            awaitQuietly(read);
        }, "scorer-busy-test");
        busy.start();
        burnt.await();
        ThreadCpu after = ThreadCpu.now();
        read.countDown();
        busy.join();

        double scorerSeconds = after.since(before).get("scorer");
        assertThat(scorerSeconds).isGreaterThanOrEqualTo(0.25);
        assertThat(before.secondsByGroup()).containsOnlyKeys("scorer", "scorer_commit", "onnx_lanes", "kafka_clients", "gc", "jit",
                "jvm_other", "bench", "broker");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

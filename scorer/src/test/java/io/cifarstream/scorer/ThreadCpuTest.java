package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** CPU time is read per thread from /proc and lands in the group its thread's name says. */
class ThreadCpuTest {

    @Test
    void aBusyScorerThreadsCpuTimeLandsInTheScorerGroup() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ThreadCpu before = ThreadCpu.now();
        Thread busy = new Thread(() -> {
            long sink = 0;
            // Spins until this thread has used 300 ms of CPU, however long that takes on a shared machine.
            while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
                sink += System.nanoTime() % 7;
            }
            if (sink == 42) {
                System.out.print("");
            }
        }, "scorer-busy-test");
        busy.start();
        busy.join();

        double scorerSeconds = ThreadCpu.now().since(before).get("scorer");
        assertThat(scorerSeconds).isGreaterThanOrEqualTo(0.25);
        assertThat(before.secondsByGroup()).containsOnlyKeys("scorer", "onnx_runtime_pool", "kafka_clients", "jvm", "broker");
    }
}

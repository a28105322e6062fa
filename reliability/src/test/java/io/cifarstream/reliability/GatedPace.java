package io.cifarstream.reliability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * How the fault tests feed a consumer they kill at chosen counts: records go out in chunks at a steady rate, never
 * past a moving allowance (read before each chunk; while the next chunk would pass it the sender waits, then goes on
 * at the same rate, not with a burst).
 */
record GatedPace(int chunk, int perSecond) {

    /** What sends records {@code [from, to)}. */
    interface Sender {
        void send(int from, int to);
    }

    /** Sends records {@code [0, total)} chunk by chunk at this pace, each chunk only once it fits {@code allowed}. */
    void run(int total, IntSupplier allowed, Sender sender) {
        long chunkNanos = TimeUnit.SECONDS.toNanos(chunk) / perSecond;
        long due = System.nanoTime();
        for (int from = 0; from < total; from += chunk) {
            int to = Math.min(total, from + chunk);
            while (to > allowed.getAsInt()) {
                CliProcess.pause(Duration.ofMillis(20));
                due = System.nanoTime();
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                CliProcess.pause(Duration.ofNanos(wait));
            }
            due += chunkNanos;
            sender.send(from, to);
        }
    }
}

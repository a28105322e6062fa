package io.cifarstream.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void withoutATerminalItPrintsAPlainLineAtEveryTenthAndAtTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (ProgressBar bar = ProgressBar.plain("epoch 1", 1000, "img", new PrintStream(bytes, true,
                StandardCharsets.UTF_8), clock::get)) {
            for (int i = 0; i < 100; i++) {
                clock.addAndGet(10_000_000L); // 10 ms per step of 10 images: 1,000 img/s
                bar.setExtra("loss 1.23");
                bar.stepBy(10);
            }
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(11); // ten tenths plus the closing line
        assertThat(lines[0]).isEqualTo("epoch 1: 100/1000 img (10%), 1000 img/s, ETA 1s, loss 1.23");
        assertThat(lines[10]).startsWith("epoch 1: 1000/1000 img (100%)");
    }

    @Test
    void aSlowTaskStillReportsAtLeastEveryIntervalSoLogsShowItIsAlive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (ProgressBar bar = ProgressBar.plain("download", 1_000_000, "B", new PrintStream(bytes, true,
                StandardCharsets.UTF_8), clock::get)) {
            clock.addAndGet(ProgressBar.PLAIN_LINE_INTERVAL.toNanos());
            bar.stepBy(1);
            assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("download: 1/1000000 B (0%)");
        }
    }
}

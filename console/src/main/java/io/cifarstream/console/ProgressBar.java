package io.cifarstream.console;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one long task. On a terminal: a live bar with rate and ETA (drawn by the progressbar library).
 * Anywhere else (CI logs, pipes): a plain line at every tenth of the work and at least every
 * {@link #PLAIN_LINE_INTERVAL}, so logs stay readable. Thread-safe for {@link #stepBy}.
 */
public final class ProgressBar implements AutoCloseable {
    /** Longest silence between two plain lines when the output is not a terminal. */
    public static final Duration PLAIN_LINE_INTERVAL = Duration.ofSeconds(10);

    private final String task;
    private final long total;
    private final String unit;
    private final me.tongfei.progressbar.ProgressBar live;
    private final PrintStream plain;
    private final LongSupplier clock;
    private final long startNanos;
    private long done;
    private long lastLineNanos;
    private long nextTenth;
    private String extra = "";

    private ProgressBar(String task, long total, String unit, boolean terminal, PrintStream plain, LongSupplier clock) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.plain = plain;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastLineNanos = startNanos;
        this.nextTenth = Math.max(1, total / 10);
        this.live = terminal
                ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setUpdateIntervalMillis(250)
                        .continuousUpdate().build()
                : null;
    }

    /** A bar on stderr: live when stderr is a terminal, plain lines otherwise. */
    public static ProgressBar start(String task, long total, String unit) {
        return new ProgressBar(task, total, unit, System.console() != null, System.err, System::nanoTime);
    }

    /** Plain lines to the given stream, whatever the terminal; the clock is {@link System#nanoTime()}-like. */
    public static ProgressBar plain(String task, long total, String unit, PrintStream out, LongSupplier clock) {
        return new ProgressBar(task, total, unit, false, out, clock);
    }

    public synchronized void stepBy(long n) {
        done += n;
        if (live != null) {
            live.stepBy(n);
            return;
        }
        long now = clock.getAsLong();
        if (done >= nextTenth || now - lastLineNanos >= PLAIN_LINE_INTERVAL.toNanos()) {
            printLine(now);
            while (nextTenth <= done) {
                nextTenth += Math.max(1, total / 10);
            }
        }
    }

    /** A short status shown after the bar, e.g. the running loss. */
    public synchronized void setExtra(String message) {
        extra = message;
        if (live != null) {
            live.setExtraMessage(message);
        }
    }

    public synchronized long done() {
        return done;
    }

    @Override
    public synchronized void close() {
        if (live != null) {
            live.close();
        } else if (done > 0 && lastLineNanos != -1) {
            printLine(clock.getAsLong());
            lastLineNanos = -1;
        }
    }

    private void printLine(long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        String eta = rate > 0 && total > done ? String.format(Locale.ROOT, ", ETA %.0fs", (total - done) / rate) : "";
        plain.printf(Locale.ROOT, "%s: %d/%d %s (%.0f%%), %.0f %s/s%s%s%n", task, done, total, unit,
                total > 0 ? 100.0 * done / total : 100.0, rate, unit, eta, extra.isEmpty() ? "" : ", " + extra);
        lastLineNanos = now;
    }
}

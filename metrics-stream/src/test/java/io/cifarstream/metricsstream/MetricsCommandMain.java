package io.cifarstream.metricsstream;

import picocli.CommandLine;

/** Runs {@code metrics} as its own JVM, so a test can kill it (SIGKILL) mid-stream. */
public final class MetricsCommandMain {

    private MetricsCommandMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new MetricsCommand()).execute(args));
    }
}

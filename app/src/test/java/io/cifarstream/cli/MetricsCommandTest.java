package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.cifarstream.metricsstream.MetricsService;
import picocli.CommandLine;

class MetricsCommandTest {

    private static final String SECRET = "api-secret-4f2a";

    @Test
    void theCommandBindsLoopbackByDefaultAndTakesTheTokenFlag() {
        MetricsCommand defaults = new MetricsCommand();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.options().httpHost()).isEqualTo("127.0.0.1");

        MetricsCommand guarded = new MetricsCommand();
        new CommandLine(guarded).parseArgs("--http-token", SECRET, "--http-host", "0.0.0.0");
        MetricsService.Options options = guarded.options();
        assertThat(options.httpHost()).isEqualTo("0.0.0.0");
        assertThat(options.httpToken().admits("Bearer " + SECRET)).isTrue();
        assertThat(options.toString()).doesNotContain(SECRET);
    }
}

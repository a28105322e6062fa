package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.console.UserError;
import io.cifarstream.metricsstream.AlertRule;
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

    @Test
    void alertRulesComeFromTheFlagsAndTheFileWithTheirTopics(@TempDir Path dir) throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.txt"), """
                # drift of the current window
                drifted: drift.confidence_js in window > 0.1 for 2 clear 4
                """);
        MetricsCommand command = new MetricsCommand();
        new CommandLine(command).parseArgs("--alert", "estimate-low: estimated_accuracy in last < 0.6 for 3 min 1000",
                "--alert-rules", rules.toString(), "--references-topic", "refs", "--alerts-topic", "alarms");
        MetricsService.Options options = command.options();
        assertThat(options.metrics().alertRules()).extracting(AlertRule::toString).containsExactly(
                "estimate-low: estimated_accuracy in last < 0.6 for 3 clear 3 min 1000",
                "drifted: drift.confidence_js in window > 0.1 for 2 clear 4 min 0");
        assertThat(options.metrics().topics().references()).isEqualTo("refs");
        assertThat(options.metrics().topics().alerts()).isEqualTo("alarms");
    }

    @Test
    void aRuleThatCannotBeReadIsRefusedNamingWhatIsWrong(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> new CommandLine(new MetricsCommand()).parseArgs("--alert", "low: happiness in last < 1"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("'happiness'");
        Path rules = Files.writeString(dir.resolve("rules.txt"), "ok: ece in last > 0.1\nbad: ece in last >\n");
        MetricsCommand command = new MetricsCommand();
        new CommandLine(command).parseArgs("--alert-rules", rules.toString());
        assertThatThrownBy(command::options).isInstanceOf(UserError.class).hasMessageContaining("rules.txt line 2");
        MetricsCommand twice = new MetricsCommand();
        CommandLine commandLine = new CommandLine(twice);
        commandLine.parseArgs("--alert", "a: ece in last > 0.1", "--alert", "a: brier in last > 0.5");
        assertThatThrownBy(() -> twice.checkFlags(commandLine)).hasMessageContaining("two alert rules are named a");
    }
}

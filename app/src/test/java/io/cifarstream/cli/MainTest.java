package io.cifarstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The command line as a user meets it: help that lists every command, and one-line errors. */
class MainTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandWithOneLineEach() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            assertThat(help.out()).containsPattern("(?m)^\\s+" + command + "\\s+\\S");
        }
        assertThat(Main.commandLine().getSubcommands().keySet()).contains("broker", "evaluate");
    }

    @Test
    void everyCommandHasItsOwnHelp() {
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            Run help = run(command, "--help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: cifar-stream " + command);
        }
    }

    @Test
    void everyHelpTextRendersAsWritten() {
        // picocli formats descriptions with String.format: a lone % ("5% of") makes it warn on stderr and print
        // the raw text. The warnings go to System.err, not to the command line's writer.
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warnings, true));
        try {
            renderHelp(Main.commandLine());
        } finally {
            System.setErr(stderr);
        }
        assertThat(warnings.toString()).isEmpty();
    }

    private static void renderHelp(CommandLine command) {
        assertThat(command.getUsageMessage()).isNotBlank();
        command.getSubcommands().values().forEach(MainTest::renderHelp);
    }

    @Test
    void aFailureTheUserCanFixIsOneLineNamingTheFlagWithoutAStackTrace(@TempDir Path dir) throws IOException {
        Path notAModel = Files.writeString(dir.resolve("notes.onnx"), "not a model");
        Run failed = run("evaluate", "--model", notAModel.toString(), "--data", dir.toString());
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err().strip().lines()).hasSize(1);
        assertThat(failed.err()).startsWith("error: ").endsWith("(see --data)" + System.lineSeparator())
                .doesNotContain("\tat ");
    }

    @Test
    void verbosePrintsTheStackTraceToo(@TempDir Path dir) throws IOException {
        Path notAModel = Files.writeString(dir.resolve("notes.onnx"), "not a model");
        Run failed = run("evaluate", "--verbose", "--model", notAModel.toString(), "--data", dir.toString());
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err()).startsWith("error: ").contains("\tat ");
    }

    @Test
    void aValueOutsideWhatAFlagTakesIsAUsageErrorBeforeAnythingRuns() {
        Run bad = run("evaluate", "--model", "does-not-exist.onnx");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("error: --model must be an existing file (got does-not-exist.onnx)");
    }

    @Test
    void anUnknownOptionIsAUsageErrorNamingIt() {
        Run bad = run("evaluate", "--model", "x.onnx", "--limt", "5");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith("error: Unknown options: '--limt'").contains("--limit")
                .contains("see `cifar-stream evaluate --help`").doesNotContain("Usage:");
    }
}

package io.cifarstream.cli;

import java.io.PrintWriter;

import io.cifarstream.broker.BrokerCommand;
import io.cifarstream.console.UserError;
import io.cifarstream.evaluate.EvaluateCommand;
import io.cifarstream.metricsstream.MetricsCommand;
import io.cifarstream.replay.ReplayCommand;
import io.cifarstream.scorer.ScoreCommand;
import io.cifarstream.trainer.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code cifar-stream} command: one subcommand per job. Each feature module owns its subcommand class;
 * this class only assembles them and decides how failures reach the user.
 */
@Command(name = "cifar-stream", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train a CIFAR-10 classifier, score images live through Kafka, measure it exactly.",
        subcommands = {BrokerCommand.class, TrainCommand.class, EvaluateCommand.class, ReplayCommand.class,
            ScoreCommand.class, MetricsCommand.class},
        usageHelpAutoWidth = true, sortOptions = false,
        footer = {"", "Run `cifar-stream COMMAND --help` for a command's options."})
public final class Main {

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors (by default an error is one line: cause and fix).")
    boolean verbose;

    /** The assembled command line. */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("error: " + oneLine(e));
            if (main.verbose) {
                e.printStackTrace(err);
            } else if (!(e instanceof UserError)) {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("error: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Run `" + command.getCommandSpec().qualifiedName() + " --help` for the options.");
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version from the jar's manifest (the Maven project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cifar-stream " + (v == null ? "(development build)" : v)};
        }
    }

    private Main() {
    }
}

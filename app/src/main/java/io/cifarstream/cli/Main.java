package io.cifarstream.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code cifar-stream} command: one subcommand per job. Every command and every flag of the project lives in this
 * package, and only here: the modules below take typed configuration and throw typed failures, which
 * {@link FailureLine} turns into one line naming the flag to change.
 */
@Command(name = "cifar-stream", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train a CIFAR-10 classifier, score images live through Kafka, measure it exactly.",
        subcommands = {BrokerCommand.class, TrainCommand.class, QuantizeCommand.class, EvaluateCommand.class,
            ReplayCommand.class, CorruptCommand.class, ScoreCommand.class, MetricsCommand.class, DemoCommand.class,
            BenchCommand.class},
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
            err.println("error: " + FailureLine.of(e, commandLine.getCommandSpec()));
            if (main.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        // Every flag's declared values, and the rules between flags, are checked before any command runs.
        cli.setExecutionStrategy(parseResult -> {
            Integer helpShown = CommandLine.executeHelpRequest(parseResult);
            if (helpShown != null) {
                return helpShown;
            }
            DeclaredFlags.check(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            // One line: the flag, what it takes and the value given (or picocli's cause and suggestions), and where
            // the options are listed.
            String cause = e.getArgSpec() instanceof OptionSpec option && e.getValue() != null
                    && e.getMessage().startsWith("Invalid value for")
                    ? DeclaredFlags.typeRefusal(option, e.getValue()) : e.getMessage();
            StringBuilder line = new StringBuilder("error: ").append(cause.lines().findFirst().orElse(""));
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                line.append("; did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append('?');
            }
            line.append("; see `").append(command.getCommandSpec().qualifiedName()).append(" --help`");
            err.println(line);
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
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

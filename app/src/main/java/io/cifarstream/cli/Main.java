package io.cifarstream.cli;

import java.io.PrintWriter;
import java.util.Optional;

import io.cifarstream.broker.BrokerCommand;
import io.cifarstream.broker.BrokerUnreachableException;
import io.cifarstream.broker.KafkaAuthenticationException;
import io.cifarstream.broker.KafkaConfigFileException;
import io.cifarstream.broker.PortInUseException;
import io.cifarstream.console.UserError;
import io.cifarstream.dataset.CifarFormatException;
import io.cifarstream.dataset.DataUnavailableException;
import io.cifarstream.demo.DemoCommand;
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
            ScoreCommand.class, MetricsCommand.class, DemoCommand.class, BenchCommand.class},
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
            Throwable userFixable = userFixable(e);
            err.println("error: " + oneLine(userFixable == null ? e : userFixable));
            if (main.verbose) {
                e.printStackTrace(err);
            } else if (userFixable == null) {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            // One line: the cause, picocli's suggestions if any, and where the options are listed.
            StringBuilder line = new StringBuilder("error: ").append(oneLine(e));
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                line.append("; did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append('?');
            }
            line.append(" Run `").append(command.getCommandSpec().qualifiedName()).append(" --help` for the options.");
            err.println(line);
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    /**
     * The failure in {@code e}'s cause chain whose message already names the cause and the fix, or null for an
     * unexpected one (a bug: its trace helps). Besides {@link UserError}, the modules below this one report bad
     * input they cannot turn into a UserError (they do not depend on picocli's console) with these types. A refused
     * login comes first wherever it sits in the chain: the layers above it (a UserError saying the scorer cannot
     * start, say) repeat Kafka's reason without the fix.
     */
    static Throwable userFixable(Throwable e) {
        Optional<KafkaAuthenticationException> refused = KafkaAuthenticationException.in(e);
        if (refused.isPresent()) {
            return refused.get();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserError || t instanceof BrokerUnreachableException || t instanceof PortInUseException
                    || t instanceof KafkaConfigFileException
                    || t instanceof CifarFormatException || t instanceof DataUnavailableException) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
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

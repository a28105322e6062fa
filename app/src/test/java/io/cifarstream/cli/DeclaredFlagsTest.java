package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Walks picocli's model of every command and every option: each option declares what it takes, and values just
 * outside that (and one of a wrong type) are refused at parse time with one line naming the flag and the value, exit
 * status 2, before anything starts: no connection reaches the Kafka address the command was given, no file appears in
 * the folders it was told to write to.
 */
class DeclaredFlagsTest {

    @TempDir
    static Path dir;
    static Path existingFile;
    static Path outputs;
    static ServerSocket kafka;
    /** Options walked and command lines run, for the closing report. */
    static int optionsWalked;
    static int casesRun;

    @BeforeAll
    static void prepare() throws IOException {
        existingFile = Files.writeString(dir.resolve("model.onnx"), "never read at parse time");
        outputs = Files.createDirectories(dir.resolve("outputs"));
        kafka = new ServerSocket();
        kafka.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        kafka.setSoTimeout(1);
    }

    @AfterAll
    static void report() throws IOException {
        System.out.println("DeclaredFlagsTest: " + optionsWalked + " options of " + commands().size()
                + " commands walked, " + casesRun + " refused command lines run");
        kafka.close();
    }

    @Test
    void everyOptionOfEveryCommandDeclaresWhatItTakes() {
        List<String> undeclared = new ArrayList<>();
        for (CommandSpec command : commands()) {
            for (OptionSpec option : command.options()) {
                if (!DeclaredFlags.declared(option)) {
                    undeclared.add(command.qualifiedName() + " " + option.longestName());
                }
            }
        }
        assertThat(undeclared).as("options without @Range, @OneOf, @Matches, @PathRule or a declared converter").isEmpty();
    }

    @Test
    void everyDefaultIsAValueItsOptionTakes() {
        for (CommandSpec command : commands()) {
            for (OptionSpec option : command.options()) {
                if (option.arity().max() > 0 && option.defaultValue() != null) {
                    assertThat(refusal(command, option, option.defaultValue()))
                            .as("%s %s=%s", command.qualifiedName(), option.longestName(), option.defaultValue())
                            .isNull();
                }
            }
        }
    }

    @Test
    void valuesJustOutsideTheDeclarationAreRefusedAtParseTimeInOneLineNamingTheFlag() throws IOException {
        for (CommandSpec command : commands()) {
            for (OptionSpec option : command.options()) {
                if (option.arity().max() == 0) {
                    continue;
                }
                optionsWalked++;
                for (String value : outside(option)) {
                    String what = command.qualifiedName() + " " + option.longestName() + " " + value;
                    // Parsed and checked first, not run: a value wrongly taken must not start the command.
                    assertThat(refusal(command, option, value)).as(what + " is refused").isNotNull();
                    Result result = runMain(args(command, option, value));
                    casesRun++;
                    assertThat(result.exit()).as(what + ": " + result.err()).isEqualTo(2);
                    assertThat(result.err().strip().lines()).as(what).hasSize(1);
                    assertThat(result.err()).as(what).startsWith("error: " + option.longestName() + " must be ")
                            .contains("(got ").doesNotContain("Exception").doesNotContain("\tat ");
                    assertNothingStarted(what);
                }
            }
        }
        assertThat(casesRun).isGreaterThan(optionsWalked);
    }

    @Test
    void theTwoExamplesOfTheIssuePrintTheirOneLine() {
        assertThat(runMain("train", "--epochs", "-1").err().strip())
                .startsWith("error: --epochs must be at least 1 (got -1)");
        assertThat(runMain("metrics", "--http-port", "99999").err().strip())
                .startsWith("error: --http-port must be 0 to 65535 (got 99999)");
    }

    private static void assertNothingStarted(String what) throws IOException {
        try {
            kafka.accept().close();
            throw new AssertionError(what + ": a Kafka connection was attempted");
        } catch (SocketTimeoutException expected) {
            // no connection: nothing was started
        }
        try (Stream<Path> written = Files.list(outputs)) {
            assertThat(written).as(what + ": files written").isEmpty();
        }
    }

    /** Values the option's declaration refuses: just outside its range or set, and one of a wrong type. */
    static List<String> outside(OptionSpec option) {
        DeclaredConverter<?> converter = DeclaredFlags.declaredConverter(option);
        if (converter != null) {
            return converter.refused();
        }
        Field field = DeclaredFlags.field(option);
        Class<?> type = field.getType().isArray() ? field.getType().getComponentType() : field.getType();
        List<String> values = new ArrayList<>();
        Range range = field.getAnnotation(Range.class);
        if (range != null) {
            boolean whole = type == int.class || type == Integer.class || type == long.class || type == Long.class;
            String unit = type == Duration.class ? "s" : "";
            double step = whole ? 1 : type == Duration.class ? 0.001 : 1e-6;
            if (range.min() != Double.NEGATIVE_INFINITY) {
                values.add(plain(range.minExcluded() ? range.min() : range.min() - step) + unit);
            }
            if (range.max() != Double.POSITIVE_INFINITY) {
                values.add(plain(range.maxExcluded() ? range.max() : range.max() + step) + unit);
            }
            values.add(type == Duration.class ? "soon" : "twelve");
        }
        Count count = field.getAnnotation(Count.class);
        if (count != null) {
            values.add(String.join(",", java.util.Collections.nCopies(count.value() + 1, "1")));
        }
        if (field.isAnnotationPresent(OneOf.class)) {
            values.add("none-of-these");
        }
        if (field.isAnnotationPresent(Matches.class)) {
            values.add("no spaces allowed!");
        }
        PathRule path = field.getAnnotation(PathRule.class);
        if (path != null) {
            values.add(switch (path.value()) {
                case EXISTING_FILE, EXISTING -> dir.resolve("missing.onnx").toString();
                case EXISTING_FOLDER -> existingFile.toString();
                case WRITABLE_FILE -> outputs.toString();
                case WRITABLE_FOLDER -> existingFile.resolve("inside-a-file").toString();
            });
        }
        if (values.stream().anyMatch(v -> v.startsWith("-") && type == Duration.class)) {
            values.removeIf(v -> v.startsWith("-")); // a negative duration is the wrong type already
            values.add("-1s");
        }
        return values;
    }

    private static String plain(double value) {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    /** The refusal of {@code option=value} by parsing and checking alone (nothing runs), or null when it is taken. */
    static String refusal(CommandSpec command, OptionSpec option, String value) {
        try {
            DeclaredFlags.check(Main.commandLine().parseArgs(args(command, option, value)));
            return null;
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    /** The command line with {@code option=value}, the required options given valid values, outputs in {@link #outputs}. */
    static String[] args(CommandSpec command, OptionSpec option, String value) {
        List<String> args = new ArrayList<>(List.of(command.qualifiedName().split(" ")));
        args.remove(0);
        Map<String, String> given = new LinkedHashMap<>(requiredFor(command));
        given.remove(option.longestName());
        given.forEach((name, v) -> {
            args.add(name);
            args.add(v);
        });
        args.add(option.longestName() + "=" + value);
        return args.toArray(String[]::new);
    }

    /**
     * Valid values for the options a command requires (its converter's example, else an existing file), and a Kafka
     * address that only this test listens on.
     */
    private static Map<String, String> requiredFor(CommandSpec command) {
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec option : command.options()) {
            if (option.required()) {
                DeclaredConverter<?> converter = DeclaredFlags.declaredConverter(option);
                values.put(option.longestName(), converter != null && converter.example().isPresent()
                        ? converter.example().get() : existingFile.toString());
            }
            Field field = DeclaredFlags.field(option);
            PathRule path = field == null ? null : field.getAnnotation(PathRule.class);
            if (path != null && (path.value() == PathRule.Kind.WRITABLE_FILE
                    || path.value() == PathRule.Kind.WRITABLE_FOLDER)) {
                values.put(option.longestName(), outputs.resolve(option.longestName().substring(2)).toString());
            }
        }
        if (command.findOption("--bootstrap-server") != null) {
            values.put("--bootstrap-server", "localhost:" + kafka.getLocalPort());
        }
        return values;
    }

    static Result runMain(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static List<CommandSpec> commands() {
        List<CommandSpec> all = new ArrayList<>();
        collect(Main.commandLine().getCommandSpec(), all);
        return all;
    }

    private static void collect(CommandSpec command, List<CommandSpec> all) {
        all.add(command);
        command.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), all));
    }

    record Result(int exit, String out, String err) {
    }
}

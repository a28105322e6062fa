package io.cifarstream.cli;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.cifarstream.scorer.ModelSpec;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Every flag's declared values ({@link Range}, {@link OneOf}, {@link Matches}, {@link PathRule}, {@link Count}, or a
 * {@link DeclaredConverter}), checked once the command line is parsed and before the command runs, so a wrong value
 * is refused before any file is read, any broker contacted or any thread started. Then each command's rules that
 * involve several flags ({@link FlagRules}). A refusal is one line: the flag, what it takes, the value given.
 */
final class DeclaredFlags {

    private DeclaredFlags() {
    }

    /** A flag's value outside what it takes. */
    static final class Refused extends ParameterException {
        private static final long serialVersionUID = 1L;

        Refused(CommandLine commandLine, OptionSpec option, String value, String requirement) {
            super(commandLine, option.longestName() + " must be " + requirement + " (got " + value + ")", option, value);
        }
    }

    /** Checks every flag given on the command line of {@code parsed} and its subcommands, then their flag rules. */
    static void check(ParseResult parsed) {
        for (ParseResult result = parsed; result != null; result = result.subcommand()) {
            CommandLine commandLine = result.commandSpec().commandLine();
            for (OptionSpec option : result.matchedOptions()) {
                checkValue(commandLine, option);
            }
            if (result.commandSpec().userObject() instanceof FlagRules rules) {
                rules.checkFlags(commandLine);
            }
        }
    }

    /** The line for a value picocli could not convert to the flag's type: what the flag takes, and the value. */
    static String typeRefusal(OptionSpec option, String value) {
        return option.longestName() + " must be " + describe(option) + " (got '" + value + "')";
    }

    /** What {@code option} takes, in words: its type and its declared values. */
    static String describe(OptionSpec option) {
        DeclaredConverter<?> converter = declaredConverter(option);
        if (converter != null) {
            return converter.describe();
        }
        Field field = field(option);
        if (field == null) {
            return "a " + option.paramLabel();
        }
        Class<?> type = field.getType().isArray() ? field.getType().getComponentType() : field.getType();
        String kind = kind(type);
        Count count = field.getAnnotation(Count.class);
        if (count != null) {
            kind = count.value() + " comma-separated values " + count.describe() + ", each " + kind;
        }
        Range range = field.getAnnotation(Range.class);
        if (range != null && !bounds(range, type).isEmpty()) {
            return kind + ", " + bounds(range, type);
        }
        OneOf oneOf = field.getAnnotation(OneOf.class);
        if (oneOf != null) {
            return "one of " + String.join(", ", oneOf.value());
        }
        Matches matches = field.getAnnotation(Matches.class);
        if (matches != null) {
            return matches.describe();
        }
        PathRule path = field.getAnnotation(PathRule.class);
        if (path != null) {
            return path.value().words();
        }
        return kind;
    }

    /** Whether {@code option} declares what it takes: options that take no value (switches) need not. */
    static boolean declared(OptionSpec option) {
        if (option.arity().max() == 0) {
            return true;
        }
        if (declaredConverter(option) != null) {
            return true;
        }
        Field field = field(option);
        return field != null && (field.isAnnotationPresent(Range.class) || field.isAnnotationPresent(OneOf.class)
                || field.isAnnotationPresent(Matches.class) || field.isAnnotationPresent(PathRule.class));
    }

    /** The field an option was declared on, or null when it was built by hand. */
    static Field field(OptionSpec option) {
        return option.userObject() instanceof Field field ? field : null;
    }

    private static void checkValue(CommandLine commandLine, OptionSpec option) {
        Field field = field(option);
        Object value = option.getValue();
        if (field == null || value == null) {
            return;
        }
        String given = String.join(",", option.originalStringValues());
        Count count = field.getAnnotation(Count.class);
        if (count != null && value.getClass().isArray() && Array.getLength(value) != count.value()) {
            throw new Refused(commandLine, option, given, count.value() + " comma-separated values " + count.describe());
        }
        Range range = field.getAnnotation(Range.class);
        if (range != null) {
            for (Object one : values(value)) {
                double number = one instanceof Duration d ? d.toNanos() / 1e9 : ((Number) one).doubleValue();
                if (!within(range, number)) {
                    Class<?> type = field.getType().isArray() ? field.getType().getComponentType() : field.getType();
                    throw new Refused(commandLine, option, given, bounds(range, type));
                }
            }
        }
        OneOf oneOf = field.getAnnotation(OneOf.class);
        if (oneOf != null && !Arrays.asList(oneOf.value()).contains(value.toString())) {
            throw new Refused(commandLine, option, "'" + given + "'", "one of " + String.join(", ", oneOf.value()));
        }
        Matches matches = field.getAnnotation(Matches.class);
        if (matches != null) {
            for (Object one : values(value)) {
                if (!one.toString().matches(matches.regex())) {
                    throw new Refused(commandLine, option, "'" + one + "'", matches.describe());
                }
            }
        }
        PathRule path = field.getAnnotation(PathRule.class);
        if (path != null) {
            for (Object one : values(value)) {
                Path file = one instanceof ModelSpec model ? model.path() : (Path) one;
                if (!holds(path.value(), file)) {
                    throw new Refused(commandLine, option, given, path.value().words());
                }
            }
        }
    }

    private static List<Object> values(Object value) {
        if (value.getClass().isArray()) {
            List<Object> all = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                all.add(Array.get(value, i));
            }
            return all;
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        return List.of(value);
    }

    static boolean within(Range range, double value) {
        boolean aboveMin = range.minExcluded() ? value > range.min() : value >= range.min();
        boolean belowMax = range.maxExcluded() ? value < range.max() : value <= range.max();
        return aboveMin && belowMax && !Double.isNaN(value);
    }

    static boolean holds(PathRule.Kind kind, Path path) {
        Path absolute = path.toAbsolutePath();
        return switch (kind) {
            case EXISTING_FILE -> Files.isRegularFile(absolute);
            case EXISTING_FOLDER -> Files.isDirectory(absolute);
            case EXISTING -> Files.exists(absolute);
            case WRITABLE_FILE -> Files.exists(absolute) ? Files.isRegularFile(absolute) && Files.isWritable(absolute)
                    : parentWritable(absolute);
            case WRITABLE_FOLDER -> Files.exists(absolute) ? Files.isDirectory(absolute) && Files.isWritable(absolute)
                    : parentWritable(absolute);
        };
    }

    private static boolean parentWritable(Path path) {
        for (Path above = path.getParent(); above != null; above = above.getParent()) {
            if (Files.exists(above)) {
                return Files.isDirectory(above) && Files.isWritable(above);
            }
        }
        return false;
    }

    private static String kind(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s, 1m or 2h";
        }
        if (type == Path.class) {
            return "a path";
        }
        return "a value";
    }

    /** "at least 1", "0 to 65535", "more than 0", "at least 0 and less than 1", or "" when unbounded. */
    static String bounds(Range range, Class<?> type) {
        boolean hasMin = range.min() != Double.NEGATIVE_INFINITY;
        boolean hasMax = range.max() != Double.POSITIVE_INFINITY;
        String min = hasMin ? number(range.min(), type) : "";
        String max = hasMax ? number(range.max(), type) : "";
        if (hasMin && hasMax) {
            if (!range.minExcluded() && !range.maxExcluded()) {
                return min + " to " + max;
            }
            return (range.minExcluded() ? "more than " : "at least ") + min + " and "
                    + (range.maxExcluded() ? "less than " : "at most ") + max;
        }
        if (hasMin) {
            return (range.minExcluded() ? "more than " : "at least ") + min;
        }
        if (hasMax) {
            return (range.maxExcluded() ? "less than " : "at most ") + max;
        }
        return "";
    }

    private static String number(double value, Class<?> type) {
        String plain = new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
        return type == Duration.class ? plain + "s" : plain;
    }

    /** The converter of {@code option} when it declares what it takes itself, else null. */
    static DeclaredConverter<?> declaredConverter(OptionSpec option) {
        for (CommandLine.ITypeConverter<?> converter : option.converters()) {
            if (converter instanceof DeclaredConverter<?> declared) {
                return declared;
            }
        }
        return null;
    }
}

package io.cifarstream.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way people write them on a command line: {@code 500ms}, {@code 30s}, {@code 1m}, {@code 2h},
 * {@code 1d}, or ISO-8601 such as {@code PT1M30S}.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    public static Duration parse(String text) {
        String trimmed = text.trim();
        Matcher m = FORM.matcher(trimmed.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            try {
                Duration iso = Duration.parse(trimmed);
                if (!iso.isNegative()) {
                    return iso;
                }
            } catch (DateTimeParseException e) {
                // not ISO either: the message below says what is accepted
            }
            throw new TypeConversionException("'" + text + "' is not a duration: write e.g. 500ms, 30s, 1m, 2h, 1d "
                    + "or PT1M30S");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}

package io.cifarstream.cli;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;
import io.cifarstream.kafka.KafkaAuthenticationException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How a failure reaches the user: one line. The one rule: a {@link UserFixable} anywhere in the cause chain is the
 * cause (a refused Kafka login first of all, wherever it sits: the layers above repeat Kafka's reason without the
 * fix), printed with the flag of the failed command that sets what is to change; anything else is unexpected, printed
 * with a pointer to {@code --verbose} for its stack trace.
 */
final class FailureLine {

    /** The flags that set each setting, in order of preference; a command names the first one it has. */
    private static final Map<Setting, List<String>> FLAGS = new EnumMap<>(Map.ofEntries(
            Map.entry(Setting.DATA, List.of("--data")),
            Map.entry(Setting.MODEL, List.of("--model")),
            Map.entry(Setting.MODEL_CONVENTIONS, List.of("--input-mean", "--output")),
            Map.entry(Setting.REFERENCE, List.of("--reference")),
            Map.entry(Setting.DEVICE, List.of("--device")),
            Map.entry(Setting.KAFKA_SERVERS, List.of("--bootstrap-server")),
            Map.entry(Setting.KAFKA_CONFIG, List.of("--kafka-config")),
            Map.entry(Setting.TOPICS, List.of("--predictions-topic", "--images-topic", "--topic-prefix")),
            Map.entry(Setting.REPLICATION, List.of("--replication-factor")),
            Map.entry(Setting.BROKER_PORT, List.of("--port", "--controller-port")),
            Map.entry(Setting.BROKER_DIR, List.of("--dir", "--work-dir")),
            Map.entry(Setting.HTTP_ADDRESS, List.of("--http-port", "--http-host")),
            Map.entry(Setting.HTTP_TOKEN, List.of("--http-token")),
            Map.entry(Setting.STATE_DIR, List.of("--state-dir", "--work-dir")),
            Map.entry(Setting.OUTPUT, List.of("--out", "--json")),
            Map.entry(Setting.RESUME, List.of("--resume")),
            Map.entry(Setting.TIMEOUT, List.of("--timeout")),
            Map.entry(Setting.ALERT_RULES, List.of("--alert-rules", "--alert")),
            Map.entry(Setting.QUANTIZATION, List.of("--calibration", "--calibration-images"))));

    private FailureLine() {
    }

    /** The user-fixable failure in {@code e}'s cause chain, or empty for an unexpected one (a bug: its trace helps). */
    static Optional<UserFixable> userFixable(Throwable e) {
        Optional<KafkaAuthenticationException> refused = KafkaAuthenticationException.in(e);
        if (refused.isPresent()) {
            return Optional.of(refused.get());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserFixable fixable) {
                return Optional.of(fixable);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The line for a failure of {@code command}: the cause and fix, and the flag to use when it is the user's to fix. */
    static String of(Throwable e, CommandSpec command) {
        Optional<UserFixable> fixable = userFixable(e);
        if (fixable.isEmpty()) {
            return firstLine(e.getMessage(), e) + " (run with --verbose for the stack trace)";
        }
        UserFixable cause = fixable.get();
        String line = firstLine(cause.getMessage(), e);
        return flag(cause.setting(), command).map(flag -> line + " (see " + flag + ")").orElse(line);
    }

    /** The first flag of {@code command} (or of the commands above it) that sets {@code setting}. */
    static Optional<String> flag(Setting setting, CommandSpec command) {
        for (String flag : FLAGS.getOrDefault(setting, List.of())) {
            for (CommandSpec c = command; c != null; c = c.parent()) {
                if (c.findOption(flag) != null) {
                    return Optional.of(flag);
                }
            }
        }
        return Optional.empty();
    }

    private static String firstLine(String message, Throwable e) {
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message);
    }
}

package io.cifarstream.cli;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.cifarstream.dataset.Corruption;
import io.cifarstream.dataset.Shift;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --corruption NAME --severity S}: a CIFAR-10-C corruption applied to the images a command reads, with the
 * benchmark's published parameters for that severity (see docs/data.md).
 */
public final class ShiftFlags {
    @Option(names = "--corruption", paramLabel = "NAME", converter = CorruptionConverter.class,
            description = "Corrupt the images as CIFAR-10-C does: gaussian_noise, shot_noise, impulse_noise, "
                    + "defocus_blur, contrast, brightness, saturate, pixelate or jpeg_compression.")
    Corruption corruption;

    /** The severity of a --corruption given without --severity: the middle one. */
    static final int DEFAULT_SEVERITY = 3;

    // No picocli default: the flag means something only beside --corruption, and alone it is refused.
    @Range(min = Corruption.MIN_SEVERITY, max = Corruption.MAX_SEVERITY)
    @Option(names = "--severity", paramLabel = "1..5",
            description = "Severity of --corruption, 1 (mild) to 5 (default: " + DEFAULT_SEVERITY + ").")
    Integer severity;

    /** The shift the flags ask for, if any. */
    public Optional<Shift> shift() {
        return corruption == null ? Optional.empty()
                : Optional.of(new Shift(corruption, severity != null ? severity : DEFAULT_SEVERITY));
    }

    /** Refuses --severity without --corruption. */
    void check(CommandLine commandLine) {
        if (corruption == null && severity != null) {
            throw new ParameterException(commandLine, "--severity grades a --corruption: give --corruption NAME too");
        }
    }

    /** The value {@code parse} reads, its refusal turned into picocli's conversion error (a usage error). */
    private static <T> T parsed(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** {@code --corruption}: one of the corruptions' names. */
    static final class CorruptionConverter implements DeclaredConverter<Corruption> {
        @Override
        public Corruption convert(String value) {
            return parsed(() -> Corruption.byId(value));
        }

        @Override
        public String describe() {
            return "one of " + String.join(", ", Corruption.ids());
        }

        @Override
        public List<String> refused() {
            return List.of("fog", "GAUSSIAN_NOISE");
        }
    }

    /** {@code NAME:SEVERITY}, e.g. {@code contrast:3}. */
    static final class ShiftConverter implements DeclaredConverter<Shift> {
        @Override
        public Shift convert(String value) {
            return parsed(() -> Shift.parse(value));
        }

        @Override
        public String describe() {
            return "NAME:SEVERITY, a corruption (" + String.join(", ", Corruption.ids()) + ") and a severity "
                    + Corruption.MIN_SEVERITY + " to " + Corruption.MAX_SEVERITY;
        }

        @Override
        public List<String> refused() {
            return List.of("contrast:6", "fog:3", "contrast");
        }

        @Override
        public Optional<String> example() {
            return Optional.of("contrast:3");
        }
    }
}

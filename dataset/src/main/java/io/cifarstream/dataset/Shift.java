package io.cifarstream.dataset;

import java.util.Objects;

/**
 * A distribution shift as CIFAR-10-C defines one: a corruption at one severity (1 to 5). Written
 * {@code gaussian_noise:3}.
 */
public record Shift(Corruption corruption, int severity) {

    public Shift {
        Objects.requireNonNull(corruption, "corruption");
        Corruption.checkSeverity(severity);
    }

    /** Reads {@code NAME:SEVERITY}, e.g. {@code contrast:5}; refuses anything else with what it takes. */
    public static Shift parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        if (colon < 0 || !text.substring(colon + 1).matches("\\d{1,9}")) {
            throw new IllegalArgumentException("a shift is NAME:SEVERITY with a severity 1 to 5, e.g. contrast:3; "
                    + "got \"" + text + "\"");
        }
        return new Shift(Corruption.byId(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
    }

    /** The published parameters of this corruption at this severity. */
    public double[] parameters() {
        return corruption.parameters(severity);
    }

    @Override
    public String toString() {
        return corruption.id() + ":" + severity;
    }
}

package io.cifarstream.cli;

import java.util.List;
import java.util.Optional;

import picocli.CommandLine.ITypeConverter;

/**
 * A converter that is itself a flag's declaration: it says what it accepts and gives values it refuses, so a flag of
 * a type of its own ({@code [ID=]PATH}, {@code logits|log-probs|probs}) is declared like any other.
 */
interface DeclaredConverter<T> extends ITypeConverter<T> {

    /** What the flag takes, in words. */
    String describe();

    /** Values the converter refuses, for the test that walks every flag. */
    List<String> refused();

    /** A value the converter takes, for that test to give a required flag; absent: any existing file will do. */
    default Optional<String> example() {
        return Optional.empty();
    }
}

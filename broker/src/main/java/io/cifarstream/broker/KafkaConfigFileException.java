package io.cifarstream.broker;

/**
 * The {@code --kafka-config} file is missing or unreadable, or Kafka's client rejects its settings; the message names
 * the file and what to fix.
 * An {@link IllegalArgumentException}, as before it had its own type, so the command line can tell it from a bug.
 */
public final class KafkaConfigFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    KafkaConfigFileException(String message, Throwable cause) {
        super(message, cause);
    }
}

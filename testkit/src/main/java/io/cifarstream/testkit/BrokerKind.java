package io.cifarstream.testkit;

import java.util.Locale;

/**
 * Which broker {@link KafkaBrokerExtension} starts, chosen by the configuration parameter or system
 * property {@value #PROPERTY}: {@code embedded}, {@code testcontainers}, or {@code auto} (the default:
 * a Testcontainers broker where Docker is available, else the embedded one).
 */
public enum BrokerKind {
    /** The in-process KRaft broker of the broker module. */
    EMBEDDED,
    /** Apache Kafka's own image in Docker, through Testcontainers. */
    TESTCONTAINERS,
    /** Testcontainers when Docker answers, else embedded. */
    AUTO;

    /** The name of the configuration parameter, also read as a system property. */
    public static final String PROPERTY = "cifarstream.kafka";

    /** The kind named by {@code value}; null or blank means {@link #AUTO}. */
    public static BrokerKind parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + PROPERTY + "=" + value
                    + ": use embedded, testcontainers or auto (e.g. -D" + PROPERTY + "=embedded)", e);
        }
    }
}

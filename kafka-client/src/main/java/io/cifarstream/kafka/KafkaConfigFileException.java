package io.cifarstream.kafka;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;

/**
 * The Kafka client properties file is missing or unreadable, or Kafka's client rejects its settings; the message
 * names the file and what to fix.
 */
public final class KafkaConfigFileException extends IllegalArgumentException implements UserFixable {

    private static final long serialVersionUID = 1L;

    KafkaConfigFileException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public Setting setting() {
        return Setting.KAFKA_CONFIG;
    }
}

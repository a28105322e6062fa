package io.cifarstream.testkit;

import io.cifarstream.kafka.KafkaSettings;

/**
 * A running Kafka broker that tests may use, shared by every test of a run: tests create their own,
 * uniquely named topics and never stop it. Inject one with {@link KafkaBrokerExtension}.
 */
public interface KafkaBroker {

    /** The value for a client's {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Client settings for this broker, the project's one way to build Kafka client configurations. */
    default KafkaSettings settings() {
        return KafkaSettings.of(bootstrapServers());
    }
}

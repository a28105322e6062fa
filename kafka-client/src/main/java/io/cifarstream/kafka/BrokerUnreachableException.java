package io.cifarstream.kafka;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;

/**
 * No Kafka broker answered at the configured bootstrap servers; the message says how to get one, or, when something
 * there accepts connections yet does not answer a plaintext client, which security settings it probably needs.
 */
public final class BrokerUnreachableException extends IllegalStateException implements UserFixable {

    private static final long serialVersionUID = 1L;

    private final boolean listeningButSilent;

    BrokerUnreachableException(String bootstrapServers, boolean listeningButSilent, Throwable cause) {
        super(listeningButSilent
                ? "Kafka at " + bootstrapServers + " accepts connections but does not answer a plaintext client: if its"
                        + " listener needs SASL or TLS, set security.protocol (and sasl.mechanism, sasl.jaas.config) in"
                        + " the Kafka client properties, else check that this is a Kafka broker's port"
                : "no Kafka broker at " + bootstrapServers + ": start one, or name the servers of a running cluster",
                cause);
        this.listeningButSilent = listeningButSilent;
    }

    @Override
    public Setting setting() {
        return listeningButSilent ? Setting.KAFKA_CONFIG : Setting.KAFKA_SERVERS;
    }
}

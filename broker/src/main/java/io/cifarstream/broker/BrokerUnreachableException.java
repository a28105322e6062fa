package io.cifarstream.broker;

/**
 * No Kafka broker answered at the configured bootstrap servers; the message says how to get one, or, when something
 * there accepts connections yet does not answer a plaintext client, which security settings it probably needs.
 */
public final class BrokerUnreachableException extends IllegalStateException {

    BrokerUnreachableException(String bootstrapServers, Throwable cause) {
        this(bootstrapServers, false, cause);
    }

    BrokerUnreachableException(String bootstrapServers, boolean listeningButSilent, Throwable cause) {
        super(listeningButSilent
                ? "Kafka at " + bootstrapServers + " accepts connections but does not answer a plaintext client: if its"
                        + " listener needs SASL or TLS, pass --kafka-config with security.protocol (and sasl.mechanism,"
                        + " sasl.jaas.config), else check that this is a Kafka broker's port"
                : "no Kafka broker at " + bootstrapServers
                        + ": start one with `bin/cifar-stream broker` or pass --bootstrap-server", cause);
    }
}

package io.cifarstream.broker;

/** No Kafka broker answered at the configured bootstrap servers; the message says how to get one. */
public final class BrokerUnreachableException extends IllegalStateException {

    BrokerUnreachableException(String bootstrapServers, Throwable cause) {
        super("no Kafka broker at " + bootstrapServers
                + ": start one with `bin/cifar-stream broker` or pass --bootstrap-server", cause);
    }
}

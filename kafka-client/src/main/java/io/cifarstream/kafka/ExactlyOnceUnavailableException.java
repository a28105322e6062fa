package io.cifarstream.kafka;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;

/**
 * The cluster cannot run Kafka transactions now: an internal topic they write (transaction state, consumer offsets)
 * cannot reach its minimum of in-sync replicas with the brokers that are up, so a transactional producer or an
 * exactly-once Kafka Streams application would wait forever. The message names the topic, the broker settings and the
 * brokers up.
 */
public final class ExactlyOnceUnavailableException extends IllegalStateException implements UserFixable {

    private static final long serialVersionUID = 1L;

    ExactlyOnceUnavailableException(String message) {
        super(message);
    }

    @Override
    public Setting setting() {
        return Setting.KAFKA_SERVERS;
    }
}

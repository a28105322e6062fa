package io.cifarstream.scorer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A consumed record the scorer will not score, why (a dead-letter {@code error_kind}), and the cause and fix. */
record Rejection(ConsumerRecord<byte[], byte[]> record, String kind, String message) {
}

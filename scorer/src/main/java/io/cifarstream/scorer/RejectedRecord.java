package io.cifarstream.scorer;

import java.nio.ByteBuffer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.cifarstream.schemas.Rejection;

/** A consumed record the scorer will not score, and why: it goes to the dead-letters topic in the batch's transaction. */
record RejectedRecord(ConsumerRecord<byte[], ByteBuffer> record, Rejection rejection) {
}

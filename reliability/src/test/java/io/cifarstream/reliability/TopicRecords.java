package io.cifarstream.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.schemas.TopicNames;

/**
 * Raw records in and decoded records out of a real broker, for tests: produce bytes exactly as given (null keys and
 * null values included) and read what was committed, in offset order.
 */
final class TopicRecords {

    /** One record to produce; a null timestamp lets the producer stamp it. */
    record Raw(byte[] key, byte[] value, Long timestamp) {
        static Raw of(String key, byte[] value) {
            return new Raw(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, null);
        }

        Raw at(long epochMillis) {
            return new Raw(key, value, epochMillis);
        }

        String keyText() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    /** A committed record: its offset, key as text, and value decoded. */
    record Read<T>(long offset, String key, T value) {
    }

    private TopicRecords() {
    }

    /** Creates the five topics of {@code prefix}, one partition each, so offsets follow the order of sending. */
    static TopicNames createTopics(KafkaSettings kafka, String prefix) {
        TopicNames topics = TopicNames.defaults().withPrefix(prefix + "-");
        new TopicSetup(kafka).ensure(topics.all().stream().map(name -> TopicSpec.of(name, 1)).toList());
        return topics;
    }

    /** Produces the records to partition 0 of {@code topic}, in order, and waits until every one is acknowledged. */
    static void produce(KafkaSettings kafka, String topic, List<Raw> records) {
        Map<String, Object> config = kafka.producer();
        config.put("max.request.size", 2 * 1024 * 1024);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Raw record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, record.timestamp(), record.key(), record.value())));
            }
            for (java.util.concurrent.Future<?> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not produce to " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while producing to " + topic, e);
        }
    }

    /** Every committed record of partition 0 of {@code topic}, decoded, in offset order. */
    static <T> List<Read<T>> readCommitted(KafkaSettings kafka, String topic, Deserializer<T> values) {
        TopicPartition partition = new TopicPartition(topic, 0);
        List<Read<T>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumer("reader-" + topic),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("reading " + topic + " stopped at " + consumer.position(partition)
                            + " of " + end);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    out.add(new Read<>(record.offset(), key, values.deserialize(topic, record.value())));
                }
            }
        }
        return out;
    }
}

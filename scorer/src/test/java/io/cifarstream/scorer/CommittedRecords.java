package io.cifarstream.scorer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import io.cifarstream.kafka.KafkaSettings;

/** Reads what a downstream read_committed consumer sees on a topic: every committed record, once. */
final class CommittedRecords {

    private CommittedRecords() {
    }

    /** A committed record: its key as text and its decoded value. */
    record Keyed<T>(String key, T value, int partition, long offset) {
    }

    /** Every committed record now on {@code topic}, up to the last stable offset of each partition. */
    static <T> List<Keyed<T>> readAll(KafkaSettings kafka, String topic, Deserializer<T> values) {
        Map<String, Object> config = kafka.consumer("reader-" + UUID.randomUUID());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Keyed<T>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    out.add(new Keyed<>(key, values.deserialize(topic, r.value()), r.partition(), r.offset()));
                }
            }
            return out;
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** How many committed records each key has. */
    static <T> Map<String, Long> countByKey(List<Keyed<T>> records) {
        return records.stream().collect(Collectors.groupingBy(Keyed::key, Collectors.counting()));
    }

    /**
     * Every record whose key more than one record has, as "key at partition/offset (detail)": what a failed
     * exactly-once check needs to tell one batch committed twice from images produced twice.
     */
    static <T> List<String> repeatedKeys(List<Keyed<T>> records, Function<T, Object> detail) {
        Map<String, Long> counts = countByKey(records);
        return records.stream().filter(r -> counts.get(r.key()) > 1)
                .map(r -> r.key() + " at " + r.partition() + "/" + r.offset() + " (" + detail.apply(r.value()) + ")")
                .toList();
    }

    static <T, K> Set<K> distinct(List<Keyed<T>> records, Function<T, K> property) {
        return records.stream().map(r -> property.apply(r.value())).collect(Collectors.toSet());
    }
}

package io.cifarstream.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.cifarstream.kafka.KafkaSettings;

/**
 * What a downstream {@code read_committed} consumer sees on a topic, counted by record key: it reads every partition
 * from the beginning and keeps reading as more is committed, without a group (so it commits nothing and disturbs no
 * one). A key counted twice is a duplicate; an expected key never counted is a loss.
 */
final class CommittedKeys implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<String, Integer> counts = new HashMap<>();
    private long records;

    CommittedKeys(KafkaSettings kafka, String topic) {
        Map<String, Object> config = kafka.consumer("reliability-reader-" + UUID.randomUUID());
        // A reader that keeps up on a busy machine: it follows whole topics in real time.
        config.put("max.poll.records", 5_000);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has been committed since the last call, for about {@code wait} at most; returns the record count. */
    long poll(Duration wait) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
            counts.merge(new String(record.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            records++;
        }
        return records;
    }

    /** Reads up to the last stable offset of every partition as of now; fails after {@code timeout}. */
    CommittedKeys readToEnd(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("could not read " + partitions + " up to " + end + " within " + timeout);
            }
            poll(Duration.ofMillis(200));
        }
        return this;
    }

    /** Committed records read so far. */
    long records() {
        return records;
    }

    /** Distinct keys read so far. */
    int distinct() {
        return counts.size();
    }

    /** Records beyond the first per key. */
    long duplicates() {
        return records - counts.size();
    }

    /** How many of {@code expected} were never read. */
    long missing(Set<String> expected) {
        return expected.stream().filter(key -> !counts.containsKey(key)).count();
    }

    Set<String> keys() {
        return Set.copyOf(counts.keySet());
    }

    @Override
    public void close() {
        consumer.close();
    }
}

package io.cifarstream.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A topic the project needs: its name, its partition count, optionally its replication factor (absent: what
 * {@link TopicSetup} gives every topic it creates, by default {@code min(3, brokers up)}), and the topic configs it
 * is created with (e.g. {@code cleanup.policy=compact}; none: the broker's defaults).
 */
public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> configs) {

    /** Kafka's topic config that keeps the latest record per key. */
    public static final String CLEANUP_POLICY = "cleanup.policy";

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(replicationFactor, "replicationFactor");
        configs = Map.copyOf(configs);
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least 1 partition, got " + partitions);
        }
        replicationFactor.ifPresent(factor -> {
            if (factor < 1) {
                throw new IllegalArgumentException("topic " + name + " needs a replication factor of at least 1, got " + factor);
            }
        });
    }

    /** A topic with the broker's default configs. */
    public TopicSpec(String name, int partitions, Optional<Short> replicationFactor) {
        this(name, partitions, replicationFactor, Map.of());
    }

    /** A topic replicated as {@link TopicSetup} decides. */
    public static TopicSpec of(String name, int partitions) {
        return new TopicSpec(name, partitions, Optional.empty());
    }

    /** A compacted topic: the broker keeps at least the latest record of each key, whatever its age. */
    public static TopicSpec compacted(String name, int partitions) {
        return new TopicSpec(name, partitions, Optional.empty(), Map.of(CLEANUP_POLICY, "compact"));
    }
}

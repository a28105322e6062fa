package io.cifarstream.kafka;

import java.util.Objects;
import java.util.Optional;

/**
 * A topic the project needs: its name, its partition count and, optionally, its replication factor
 * (absent: what {@link TopicSetup} gives every topic it creates, by default {@code min(3, brokers up)}).
 */
public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(replicationFactor, "replicationFactor");
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

    /** A topic replicated as {@link TopicSetup} decides. */
    public static TopicSpec of(String name, int partitions) {
        return new TopicSpec(name, partitions, Optional.empty());
    }
}

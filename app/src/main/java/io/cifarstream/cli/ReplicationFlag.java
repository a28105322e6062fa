package io.cifarstream.cli;

import java.util.OptionalInt;

import picocli.CommandLine.Option;

/** The replication flag of every command that creates topics. */
public final class ReplicationFlag {

    @Range(min = 1, max = Short.MAX_VALUE)
    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replicas of each partition of the topics this creates (default: 3, or as many as there are"
                    + " brokers when fewer). How many must hold a write is the cluster's min.insync.replicas.")
    Integer replicationFactor;

    /** The factor given, or empty for {@code min(3, brokers up)}. */
    public OptionalInt value() {
        return replicationFactor == null ? OptionalInt.empty() : OptionalInt.of(replicationFactor);
    }
}

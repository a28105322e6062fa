package io.cifarstream.cli;

import io.cifarstream.kafka.KafkaSettings;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The Kafka connection flags of every command that talks to Kafka, resolved by {@link KafkaSettings#load}. */
public final class KafkaFlags {
    @Matches(regex = Matches.SERVERS, describe = Matches.SERVERS_WORDS)
    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Kafka brokers to connect to (default: the --kafka-config file's bootstrap.servers, "
                    + "else " + KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS + ").")
    String bootstrapServer;

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (security: SASL, TLS; tuning) applied to every client.")
    Path kafkaConfig;

    public KafkaSettings settings() {
        return KafkaSettings.load(bootstrapServer, kafkaConfig);
    }

    /** Whether the user named a cluster (for commands that start their own broker otherwise, like the demo). */
    public boolean given() {
        return bootstrapServer != null || kafkaConfig != null;
    }
}

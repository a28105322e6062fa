package io.cifarstream.kafka;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import io.cifarstream.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopicSetupTest {

    private EmbeddedKafkaBroker broker;

    @BeforeAll
    void startBroker() {
        broker = EmbeddedKafkaBroker.builder().start();
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    @Test
    void createsMissingTopicsWithTheirPartitionsAndLeavesExistingOnesAlone() throws Exception {
        String suffix = UUID.randomUUID().toString();
        TopicSpec images = TopicSpec.of("images-" + suffix, 4);
        TopicSpec labels = new TopicSpec("labels-" + suffix, 2, Optional.of((short) 1));
        TopicSetup setup = new TopicSetup(KafkaSettings.of(broker.bootstrapServers()));

        assertThat(setup.ensure(List.of(images))).containsExactly(images.name());
        assertThat(setup.ensure(List.of(images, labels))).containsExactly(labels.name());
        assertThat(setup.ensure(List.of(images, labels))).isEmpty();

        try (Admin admin = Admin.create(KafkaSettings.of(broker.bootstrapServers()).admin())) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(List.of(images.name(), labels.name())).allTopicNames().get();
            assertThat(topics.get(images.name()).partitions()).hasSize(4)
                    .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(1));
            assertThat(topics.get(labels.name()).partitions()).hasSize(2);
        }
    }

    @Test
    void aCompactedTopicIsCreatedCompactedAndAnExistingTopicKeepsItsConfigs() throws Exception {
        String suffix = UUID.randomUUID().toString();
        TopicSpec references = TopicSpec.compacted("references-" + suffix, 1);
        TopicSpec plain = TopicSpec.of("plain-" + suffix, 1);
        TopicSetup setup = new TopicSetup(KafkaSettings.of(broker.bootstrapServers()));

        setup.ensure(List.of(references, plain));
        // Asking for a compacted topic where a plain one exists changes nothing (the log says so).
        setup.ensure(List.of(TopicSpec.compacted(plain.name(), 1)));

        try (Admin admin = Admin.create(KafkaSettings.of(broker.bootstrapServers()).admin())) {
            assertThat(cleanupPolicy(admin, references.name())).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, plain.name())).isEqualTo("delete");
        }
    }

    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicSpec.CLEANUP_POLICY)
                .value();
    }

    @Test
    void withNoBrokerListeningTheErrorSaysHowToStartOne() throws IOException {
        int silentPort;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            silentPort = probe.getLocalPort();
        }
        String nowhere = "localhost:" + silentPort;
        TopicSetup setup = new TopicSetup(KafkaSettings.of(nowhere), Duration.ofSeconds(2));

        assertThatThrownBy(() -> setup.ensure(List.of(TopicSpec.of("never", 1))))
                .isInstanceOf(BrokerUnreachableException.class)
                .hasMessage("no Kafka broker at " + nowhere
                        + ": start one, or name the servers of a running cluster")
                .extracting(error -> ((BrokerUnreachableException) error).setting()).isEqualTo(Setting.KAFKA_SERVERS);
    }

    @Test
    void topicsGetAsManyReplicasAsTheClusterHasBrokersUpToThreeAndAFactorBeyondTheBrokersIsRefusedNamingIt() throws Exception {
        KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers());
        String single = "replicated-" + UUID.randomUUID();
        new TopicSetup(settings).ensure(List.of(TopicSpec.of(single, 2)));
        try (Admin admin = Admin.create(settings.admin())) {
            assertThat(admin.describeTopics(List.of(single)).allTopicNames().get().get(single).partitions())
                    .as("min(3, 1 broker)").allSatisfy(partition -> assertThat(partition.replicas()).hasSize(1));
        }

        String tooMany = "too-many-" + UUID.randomUUID();
        assertThatThrownBy(() -> new TopicSetup(settings).withReplicationFactor(OptionalInt.of(2))
                .ensure(List.of(TopicSpec.of(tooMany, 1))))
                .isInstanceOf(UserError.class)
                .hasMessageStartingWith("Kafka at " + broker.bootstrapServers() + " cannot create topic " + tooMany + " (")
                .hasMessageEndingWith("): ask for at most as many replicas as there are brokers")
                .extracting(error -> ((UserError) error).setting()).isEqualTo(Setting.REPLICATION);
    }

    @Test
    void exactlyOnceIsRefusedOnAClusterWhoseTransactionStateTopicCannotReachItsMinimumInSyncReplicas() {
        new TopicSetup(KafkaSettings.of(broker.bootstrapServers())).requireExactlyOnce();

        try (EmbeddedKafkaBroker misconfigured = EmbeddedKafkaBroker.builder()
                .brokerProperty("transaction.state.log.replication.factor", "3")
                .brokerProperty("transaction.state.log.min.isr", "2").start()) {
            TopicSetup setup = new TopicSetup(KafkaSettings.of(misconfigured.bootstrapServers()));
            assertThatThrownBy(setup::requireExactlyOnce)
                    .isInstanceOf(ExactlyOnceUnavailableException.class)
                    .hasMessage("Kafka cluster at " + misconfigured.bootstrapServers() + " cannot run exactly-once"
                            + " transactions: its transaction state topic (__transaction_state) is created with 3 replicas"
                            + " (transaction.state.log.replication.factor) but only 1 broker is up: start more brokers, or"
                            + " lower transaction.state.log.replication.factor on the brokers")
                    .extracting(error -> ((ExactlyOnceUnavailableException) error).setting())
                    .isEqualTo(Setting.KAFKA_SERVERS);
        }
    }

    @Test
    void topicSpecsRejectImpossibleShapes() {
        assertThatThrownBy(() -> TopicSpec.of("t", 0)).hasMessageContaining("at least 1 partition");
        assertThatThrownBy(() -> new TopicSpec("t", 1, Optional.of((short) 0))).hasMessageContaining("replication factor");
        assertThatThrownBy(() -> TopicSpec.of(" ", 1)).hasMessageContaining("must not be blank");
        assertThat(TopicSpec.compacted("t", 1).configs()).containsExactly(Map.entry("cleanup.policy", "compact"));
        assertThat(TopicSpec.of("t", 1).configs()).isEmpty();
    }
}

package io.cifarstream.broker;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Three node processes on this machine form one replicated cluster that outlives the loss of any one node. */
class LocalKafkaClusterTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Test
    void threeNodeProcessesFormOneClusterWithThreeReplicasTwoInSyncAndAThreeVoterQuorumThatOutlivesItsLeader(
            @TempDir Path dir) throws Exception {
        Path data = dir.resolve("cluster");
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().nodes(3).dataDir(data).start();
             Admin admin = Admin.create(clientOf(cluster))) {
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactlyInAnyOrder(1, 2, 3);

            admin.createTopics(List.of(new NewTopic("replicated", java.util.Optional.of(3), java.util.Optional.empty()))).all().get();
            TopicDescription topic = describeOnceKnown(admin, "replicated");
            assertThat(topic.partitions()).allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));
            Config brokerConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "1")))
                    .all().get().values().iterator().next();
            assertThat(brokerConfig.get("min.insync.replicas").value()).isEqualTo("2");
            assertThat(brokerConfig.get("transaction.state.log.replication.factor").value()).isEqualTo("3");
            assertThat(brokerConfig.get("transaction.state.log.min.isr").value()).isEqualTo("2");
            assertThat(brokerConfig.get("offsets.topic.replication.factor").value()).isEqualTo("3");

            int leader = quorum.leaderId();
            cluster.kill(leader);
            assertThat(cluster.isRunning(leader)).isFalse();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerOf(cluster), new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>("replicated", "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
                }
            }
            assertThat(admin.describeMetadataQuorum().quorumInfo().get().leaderId()).isNotEqualTo(leader);

            cluster.start(leader);
            cluster.awaitFullyReplicated(TIMEOUT);
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
        }

        try (LocalKafkaCluster again = LocalKafkaCluster.builder().nodes(3).dataDir(data).start();
             Admin admin = Admin.create(clientOf(again))) {
            assertThat(admin.listTopics().names().get()).contains("replicated");
            assertThatThrownBy(() -> LocalKafkaCluster.builder().nodes(5).dataDir(data).start())
                    .isInstanceOf(UserError.class)
                    .hasMessage("Kafka data directory " + data.toAbsolutePath() + " holds a cluster of 3 nodes, not 5:"
                            + " start it with that many, or choose another directory")
                    .extracting(error -> ((UserError) error).setting()).isEqualTo(Setting.BROKER_DIR);
        }
    }

    @Test
    void aNodeOnTheDataDirOfAnotherNodeIsRefusedNamingTheDirectory(@TempDir Path dir) {
        String cluster = ClusterMembership.newClusterId();
        Path data = dir.resolve("node");
        try (EmbeddedKafkaBroker alone = EmbeddedKafkaBroker.builder().dataDir(data).start()) {
            assertThat(alone.dataDir()).isEqualTo(data.toAbsolutePath());
        }
        ClusterMembership membership = new ClusterMembership(cluster, 2,
                List.of(QuorumVoter.parse("1@localhost:1"), QuorumVoter.parse("2@localhost:2"), QuorumVoter.parse("3@localhost:3")));
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().membership(membership).dataDir(data).start())
                .isInstanceOf(UserError.class)
                .hasMessageStartingWith("Kafka data directory " + data.toAbsolutePath() + " belongs to node 1 of cluster ")
                .hasMessageEndingWith(", not to node 2 of cluster " + cluster + ": choose that node's own directory,"
                        + " or an empty one");
    }

    @Test
    void aNodeThatCannotStartFailsTheClusterNamingItsCauseInOneLineAndItsLog(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"));
             ServerSocket controller = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            int controllerPort = controller.getLocalPort();
            controller.close();
            Properties layout = new Properties();
            layout.setProperty("cluster.id", ClusterMembership.newClusterId());
            layout.setProperty("nodes", "1");
            layout.setProperty("node.1.port", String.valueOf(taken.getLocalPort()));
            layout.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
            LocalKafkaCluster.write(dir.resolve(ClusterLayout.FILE), layout, "node 1's client port is taken");

            assertThatThrownBy(() -> LocalKafkaCluster.builder().nodes(1).dataDir(dir).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Kafka node 1 exited with 1 while starting: " + KafkaNodeProcess.FAILED + "the client port "
                            + taken.getLocalPort() + " is already in use (another Kafka broker?): stop that process or"
                            + " choose a free port (0 picks any free port) (its log: " + dir.resolve("node-1/node.log")
                            .toAbsolutePath() + ")");
        }
    }

    @Test
    void aMembershipNamesItsNodeAmongTheVotersAndAKafkaClusterId() {
        List<QuorumVoter> voters = List.of(QuorumVoter.parse("1@a:9093"), QuorumVoter.parse("2@b:9093"),
                QuorumVoter.parse("3@c:9093"));
        ClusterMembership membership = new ClusterMembership(ClusterMembership.newClusterId(), 3, voters);
        assertThat(membership.self()).isEqualTo(new QuorumVoter(3, "c", 9093));
        assertThat(membership.votersConfig()).isEqualTo("1@a:9093,2@b:9093,3@c:9093");
        assertThat(membership.replicationFactor()).isEqualTo(3);
        assertThat(membership.minInSyncReplicas()).isEqualTo(2);
        assertThatThrownBy(() -> new ClusterMembership(ClusterMembership.newClusterId(), 4, voters))
                .hasMessageContaining("node 4 is not one of the controller quorum's voters");
        assertThatThrownBy(() -> new ClusterMembership("not-an-id", 1, voters))
                .hasMessageContaining("is not a Kafka cluster id");
        assertThatThrownBy(() -> QuorumVoter.parse("a@b:1")).hasMessageContaining("is not a controller quorum voter");
    }

    /**
     * The topic as described by whichever node the admin asks, once that node knows it: {@code createTopics} returns
     * when the controller has committed the topic, and another node may learn of it a moment later.
     */
    private static TopicDescription describeOnceKnown(Admin admin, String name) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Map<String, Object> clientOf(LocalKafkaCluster cluster) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    }

    private static Map<String, Object> producerOf(LocalKafkaCluster cluster) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }
}

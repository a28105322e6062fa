package io.cifarstream.broker;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.util.ArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker's life cycle: start, restart on kept data, ports (its extra listeners: kafka-client's KafkaSettingsScramTest). */
class EmbeddedKafkaBrokerTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void startsAnswersAtItsAddressAndDeletesItsTemporaryDataDirOnClose() throws Exception {
        long begin = System.nanoTime();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start();
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        LOG.info("Embedded Kafka broker started and answering in {} ms", startMillis);
        Path dataDir = broker.dataDir();
        try (broker) {
            assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + broker.port());
            assertThat(broker.controllerPort()).isNotEqualTo(broker.port());
            assertThat(dataDir.resolve("meta.properties")).exists();
            try (Admin admin = Admin.create(clientOf(broker))) {
                assertThat(admin.describeCluster().clusterId().get()).isNotBlank();
            }
        }
        long closeBegin = System.nanoTime();
        broker.close();
        LOG.info("A second close returned in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeBegin));
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void aRestartOnTheSameDataDirKeepsTopicsAndRecords(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        String topic = "kept-" + UUID.randomUUID();
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            try (Admin admin = Admin.create(clientOf(first))) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(clientOf(first), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
            }
            clusterId = clusterId(first);
        }
        assertThat(dataDir.resolve("meta.properties")).exists();

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            assertThat(clusterId(second)).isEqualTo(clusterId);
            try (Admin admin = Admin.create(clientOf(second))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
            }
            assertThat(values(second, topic)).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, 100).mapToObj(i -> "v" + i).collect(Collectors.toList()));
        }
        assertThat(dataDir.resolve("meta.properties")).exists();
    }

    @Test
    void aSecondBrokerOnADataDirInUseFailsNamingTheDirAndLeavesTheFirstRunning(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().dataDir(dataDir).start())
                    .isInstanceOf(UserError.class)
                    .hasMessage("Kafka data directory " + dataDir.toAbsolutePath() + " is in use by another running broker:"
                            + " stop that broker or choose another directory")
                    .extracting(error -> ((UserError) error).setting()).isEqualTo(Setting.BROKER_DIR);

            assertThat(clusterId(first)).isNotBlank();
        }
    }

    @Test
    void aTakenControllerPortGivesAOneLineErrorNamingThePortAndWhichPortItIs() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().controllerPort(taken.getLocalPort()).start())
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("the controller port " + taken.getLocalPort() + " is already in use (another Kafka"
                            + " broker?): stop that process or choose a free port (0 picks any free port)")
                    .extracting(error -> ((PortInUseException) error).port()).isEqualTo(taken.getLocalPort());
        }
    }

    @Test
    void aSecondBrokerOnTheSamePortFailsWithAOneLineErrorNamingThePortAndTheFix() {
        try (EmbeddedKafkaBroker running = EmbeddedKafkaBroker.builder().start()) {
            assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().port(running.port()).start())
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("the client port " + running.port() + " is already in use")
                    .satisfies(error -> assertThat(error.getMessage()).doesNotContain("\n"));
        }
    }

    private static String clusterId(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(clientOf(broker))) {
            return admin.describeCluster().clusterId().get();
        }
    }

    /** Plain client settings: this module sits below the project's client settings, so its tests spell them out. */
    private static Map<String, Object> clientOf(EmbeddedKafkaBroker broker) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    /** Every value of {@code topic}, read from the start until the end offsets seen when reading began. */
    private static List<String> values(EmbeddedKafkaBroker broker, String topic) {
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(clientOf(broker), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
            }
            return values;
        }
    }
}

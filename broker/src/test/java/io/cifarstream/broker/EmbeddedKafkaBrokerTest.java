package io.cifarstream.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker's life cycle: start, restart on kept data, ports, extra listeners. */
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
            try (Admin admin = Admin.create(KafkaSettings.of(broker.bootstrapServers()).admin())) {
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
            KafkaSettings settings = KafkaSettings.of(first.bootstrapServers());
            new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 2)));
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(settings.producer(), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
            }
            clusterId = clusterId(settings);
        }
        assertThat(dataDir.resolve("meta.properties")).exists();

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            KafkaSettings settings = KafkaSettings.of(second.bootstrapServers());
            assertThat(clusterId(settings)).isEqualTo(clusterId);
            assertThat(new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 2)))).isEmpty();
            List<ConsumerRecord<String, String>> records = TopicContents.readToEnd(settings.consumer("reader"), topic, TIMEOUT);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(
                            java.util.stream.IntStream.range(0, 100).mapToObj(i -> "v" + i).collect(Collectors.toList()));
        }
        assertThat(dataDir.resolve("meta.properties")).exists();
    }

    @Test
    void aTakenControllerPortGivesAOneLineErrorNamingThePortAndItsOption() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().controllerPort(taken.getLocalPort()).start())
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("port " + taken.getLocalPort() + " is already in use (another Kafka broker?): stop that"
                            + " process or choose a free port with --controller-port (0 picks any free port)")
                    .extracting(error -> ((PortInUseException) error).port()).isEqualTo(taken.getLocalPort());
        }
    }

    @Test
    void anExtraSaslScramListenerAcceptsTheRightPasswordThroughAKafkaConfigFileAndRejectsAWrongOne(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .listener(new ListenerSpec("SASL_PLAINTEXT", "SASL_PLAINTEXT", 0))
                .brokerProperty("sasl.enabled.mechanisms", "SCRAM-SHA-256")
                .brokerProperty("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .start()) {
            try (Admin admin = Admin.create(KafkaSettings.of(broker.bootstrapServers()).admin())) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                        "alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "alice-secret"))).all().get();
            }
            String saslServers = broker.bootstrapServers("sasl_plaintext");
            assertThat(saslServers).isNotEqualTo(broker.bootstrapServers());

            KafkaSettings right = KafkaSettings.load(saslServers, scramConfig(dir.resolve("right.properties"), "alice-secret"));
            String topic = "sasl-" + UUID.randomUUID();
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(right.producer(), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "over SCRAM")).get(30, TimeUnit.SECONDS);
            }
            assertThat(TopicContents.readToEnd(right.consumer("reader"), topic, TIMEOUT))
                    .extracting(ConsumerRecord::value).containsExactly("over SCRAM");

            KafkaSettings wrong = KafkaSettings.load(saslServers, scramConfig(dir.resolve("wrong.properties"), "guess"));
            Map<String, Object> producerConfig = wrong.producer();
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "rejected")).get(30, TimeUnit.SECONDS))
                        .satisfiesAnyOf(
                                error -> assertThat(error).isInstanceOf(SaslAuthenticationException.class),
                                error -> assertThat(error).isInstanceOf(ExecutionException.class)
                                        .hasCauseInstanceOf(SaslAuthenticationException.class));
            }
        }
    }

    private static Path scramConfig(Path file, String password) throws IOException {
        return Files.writeString(file, String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=SCRAM-SHA-256",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"alice\" password=\"" + password + "\";",
                ""));
    }

    private static String clusterId(KafkaSettings settings) throws Exception {
        try (Admin admin = Admin.create(settings.admin())) {
            return admin.describeCluster().clusterId().get();
        }
    }
}

package io.cifarstream.kafka;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.broker.ListenerSpec;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Client settings read from a properties file carry SASL/SCRAM credentials to a broker's SASL listener. */
class KafkaSettingsScramTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void settingsFromAScramConfigFileReachASaslListenerAndAWrongPasswordIsRefused(@TempDir Path dir)
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
}

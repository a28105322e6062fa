package io.cifarstream.kafka;

import io.cifarstream.console.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** How client configurations are layered: defaults, then the client properties file, then each role's promises. */
class KafkaSettingsTest {

    @Test
    void theConfigFileIsMergedOverTheDefaultsIntoEveryRole(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "auto.offset.reset=latest",
                "linger.ms = 20",
                ""));

        KafkaSettings settings = KafkaSettings.load("broker-a:9093", file);

        assertThat(settings.admin()).containsOnly(
                entry("bootstrap.servers", "broker-a:9093"),
                entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("auto.offset.reset", "latest"),
                entry("linger.ms", "20"));
        assertThat(settings.consumer("scorers")).contains(
                entry("security.protocol", "SASL_SSL"),
                entry("auto.offset.reset", "latest"),
                entry("group.id", "scorers"),
                entry("isolation.level", "read_committed"),
                entry("enable.auto.commit", false));
        assertThat(settings.producer()).contains(
                entry("security.protocol", "SASL_SSL"),
                entry("linger.ms", "20"),
                entry("acks", "all"),
                entry("enable.idempotence", true));
    }

    @Test
    void eachRoleKeepsTheGuaranteeItsNamePromisesWhateverTheFileSays(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), String.join("\n",
                "isolation.level=read_uncommitted",
                "enable.idempotence=false",
                "processing.guarantee=at_least_once",
                ""));
        KafkaSettings settings = KafkaSettings.load("localhost:9092", file);

        assertThat(settings.consumer("g")).contains(entry("isolation.level", "read_committed"));
        assertThat(settings.transactionalProducer("scorer-0")).contains(
                entry("enable.idempotence", true), entry("transactional.id", "scorer-0"));
        assertThat(settings.streams("metrics", dir.resolve("state"))).contains(
                entry("application.id", "metrics"),
                entry("processing.guarantee", "exactly_once_v2"),
                entry("state.dir", dir.resolve("state").toAbsolutePath().toString()));
    }

    /** Kafka's 100 ms retry back-off would stall every transaction that meets its predecessor's markers. */
    @Test
    void transactionalProducersRetrySoonUnlessTheFileSaysOtherwise(@TempDir Path dir) throws IOException {
        KafkaSettings defaults = KafkaSettings.of("localhost:9092");
        assertThat(defaults.transactionalProducer("scorer-0")).contains(entry("retry.backoff.ms", 10));
        assertThat(defaults.streams("metrics", dir)).contains(entry("producer.retry.backoff.ms", 10));
        assertThat(defaults.producer()).doesNotContainKey("retry.backoff.ms");

        Path file = Files.writeString(dir.resolve("client.properties"), "retry.backoff.ms=250\n");
        KafkaSettings configured = KafkaSettings.load("localhost:9092", file);
        assertThat(configured.transactionalProducer("scorer-0")).contains(entry("retry.backoff.ms", "250"));
        assertThat(configured.streams("metrics", dir)).contains(entry("retry.backoff.ms", "250"))
                .doesNotContainKey("producer.retry.backoff.ms");
    }

    @Test
    void bootstrapServersComeFromTheArgumentElseTheFileElseTheDefault(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("remote.properties"), "bootstrap.servers=remote:9092\n");

        assertThat(KafkaSettings.load("explicit:9092", file).admin()).containsEntry("bootstrap.servers", "explicit:9092");
        assertThat(KafkaSettings.load(null, file).bootstrapServers()).isEqualTo("remote:9092");
        assertThat(KafkaSettings.load(" ", null).bootstrapServers()).isEqualTo(KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS);
    }

    @Test
    void toStringShowsSettingsButMasksPasswordsSecretsJaasConfigsAndTokens(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("secret.properties"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"hunter2\";",
                "ssl.truststore.password=truststore-pw",
                "ssl.key.PASSWORD=key-pw",
                "client.secret=oauth-secret",
                "sasl.oauthbearer.token.endpoint.url=https://idp.example/token",
                ""));

        String shown = KafkaSettings.load("localhost:9092", file).toString();

        assertThat(shown)
                .contains("security.protocol=SASL_SSL", "bootstrap.servers=localhost:9092", "sasl.jaas.config=******",
                        "ssl.truststore.password=******", "ssl.key.PASSWORD=******", "client.secret=******",
                        "sasl.oauthbearer.token.endpoint.url=******", file.toString())
                .doesNotContain("hunter2", "truststore-pw", "key-pw", "oauth-secret", "idp.example");
    }

    @Test
    void eachCallReturnsAFreshMapSoCallersCanAdjustTheirOwnCopy() {
        KafkaSettings settings = KafkaSettings.of("localhost:9092");
        Map<String, Object> mine = settings.consumer("g");
        mine.put("isolation.level", "read_uncommitted");

        assertThat(settings.consumer("g")).containsEntry("isolation.level", "read_committed");
    }

    @Test
    void aMissingConfigFileIsAnErrorThatNamesTheFileAndTheSettingToChange(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> KafkaSettings.load("localhost:9092", missing))
                .isInstanceOf(KafkaConfigFileException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("Kafka client settings")
                .extracting(error -> ((KafkaConfigFileException) error).setting()).isEqualTo(Setting.KAFKA_CONFIG);
    }

    @Test
    void blankRoleNamesAreRejected() {
        KafkaSettings settings = KafkaSettings.of("localhost:9092");

        assertThatThrownBy(() -> settings.consumer(" ")).hasMessage("groupId must not be blank");
        assertThatThrownBy(() -> settings.transactionalProducer("")).hasMessage("transactionalId must not be blank");
    }
}

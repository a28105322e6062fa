package io.cifarstream.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The one place where the project builds Kafka client configurations.
 *
 * <p>Each map is layered, later layers winning: this class's defaults, then the properties of the
 * optional Kafka client properties file (security settings such as SASL/SCRAM or TLS, tuning), then the
 * settings the method's name promises (an idempotent producer, a {@code read_committed} consumer of the
 * given group, Kafka Streams with {@code exactly_once_v2}). The bootstrap servers are the ones given
 * explicitly, else the file's {@code bootstrap.servers}, else {@value #DEFAULT_BOOTSTRAP_SERVERS}.
 * Every call returns a new mutable map. {@link #toString()} masks secrets.
 */
public final class KafkaSettings {

    /** Where the project's broker listens when nothing else is said: {@code bin/cifar-stream broker}'s default. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    /**
     * Retry back-off of transactional producers. A transaction begun right after the previous commit can find the
     * coordinator still writing that commit's markers; sendOffsetsToTransaction then gets CONCURRENT_TRANSACTIONS and
     * retries after {@code retry.backoff.ms}. Kafka's 100 ms default puts 100 ms into the scorer's p99 latency
     * (measured: p99 252 ms with it, 103 ms with 10 ms); 10 ms retries about when the markers are done.
     */
    static final int TRANSACTION_RETRY_BACKOFF_MS = 10;
    private static final String MASK = "******";
    private static final String[] SECRET_KEY_PARTS = {"password", "secret", "jaas", "token"};

    private final String bootstrapServers;
    private final Map<String, String> fileProperties;
    private final Optional<Path> configFile;

    private KafkaSettings(String bootstrapServers, Map<String, String> fileProperties, Optional<Path> configFile) {
        this.bootstrapServers = bootstrapServers;
        this.fileProperties = Map.copyOf(fileProperties);
        this.configFile = configFile;
    }

    /** Settings for a broker that needs no security settings. */
    public static KafkaSettings of(String bootstrapServers) {
        return load(Objects.requireNonNull(bootstrapServers, "bootstrapServers"), null);
    }

    /**
     * Settings from the command line's {@code --bootstrap-server} and {@code --kafka-config}.
     *
     * @param bootstrapServers servers given explicitly, or null to take the file's or the default
     * @param configFile       a Java properties file of client settings, or null for none
     * @throws KafkaConfigFileException when the file does not exist or cannot be read
     */
    public static KafkaSettings load(String bootstrapServers, Path configFile) {
        Map<String, String> fromFile = configFile == null ? Map.of() : readProperties(configFile);
        String servers = bootstrapServers != null && !bootstrapServers.isBlank()
                ? bootstrapServers.strip()
                : fromFile.getOrDefault(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP_SERVERS);
        return new KafkaSettings(servers, fromFile, Optional.ofNullable(configFile));
    }

    /** The {@code bootstrap.servers} every map carries. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The Kafka client properties file these settings were read from, if any. */
    Optional<Path> configFile() {
        return configFile;
    }

    /** An idempotent producer ({@code acks=all}, {@code enable.idempotence=true}); serializers are the caller's. */
    public Map<String, Object> producer() {
        Map<String, Object> config = layered(Map.of());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }

    /** A transactional producer with the given {@code transactional.id}; idempotent as {@link #producer()}. */
    public Map<String, Object> transactionalProducer(String transactionalId) {
        Map<String, Object> config = producer();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, requireText(transactionalId, "transactionalId"));
        config.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS);
        return config;
    }

    /**
     * A consumer of the given group that sees committed records only ({@code isolation.level=read_committed}),
     * starts at the earliest offset when the group has none, and commits offsets only when told to.
     */
    public Map<String, Object> consumer(String groupId) {
        Map<String, Object> config = layered(Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, requireText(groupId, "groupId"));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return config;
    }

    /** An admin client. */
    public Map<String, Object> admin() {
        return layered(Map.of());
    }

    /**
     * A Kafka Streams application with exactly-once processing ({@code processing.guarantee=exactly_once_v2})
     * keeping its local state under {@code stateDir}.
     */
    public Map<String, Object> streams(String applicationId, Path stateDir) {
        Map<String, Object> config = layered(Map.of());
        // Literal keys: this module does not depend on kafka-streams; these are StreamsConfig's names.
        config.put("application.id", requireText(applicationId, "applicationId"));
        config.put("state.dir", Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().toString());
        config.put("processing.guarantee", "exactly_once_v2");
        if (!config.containsKey(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)) {
            config.putIfAbsent("producer." + ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS);
        }
        // Kafka 5.0's default, adopted now; without it every start warns (we have no global state anyway).
        config.putIfAbsent("processing.exception.handler.global.enabled", true);
        return config;
    }

    /** The settings with the values of keys naming a password, secret, JAAS config or token masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        fileProperties.forEach((key, value) -> shown.put(key, isSecret(key) ? MASK : value));
        shown.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        String source = configFile.map(file -> ", from " + file).orElse("");
        return "KafkaSettings" + shown.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(", ", "{", "}")) + source;
    }

    static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String part : SECRET_KEY_PARTS) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Object> layered(Map<String, Object> defaults) {
        Map<String, Object> config = new HashMap<>(defaults);
        config.putAll(fileProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    private static Map<String, String> readProperties(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KafkaConfigFileException("Kafka config file " + file.toAbsolutePath()
                    + " does not exist: name a Java properties file of Kafka client settings", null);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new KafkaConfigFileException("could not read Kafka config file " + file.toAbsolutePath() + ": "
                    + e.getMessage() + "; make it a readable Java properties file of Kafka client settings", e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).strip()));
        return values;
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}

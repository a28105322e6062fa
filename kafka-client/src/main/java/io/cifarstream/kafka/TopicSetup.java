package io.cifarstream.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.RetriableException;
import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Creates the topics a command needs when they do not exist yet, with their configs; existing topics are left as
 * they are (a differing partition count or config is logged, never changed). Safe to run any number of times.
 *
 * <p>A topic gets the replication factor its {@link TopicSpec} names, else this setup's
 * ({@link #withReplicationFactor}), else {@code min(3, brokers up)}: three replicas on a cluster of three or more, as
 * many as there are brokers on a smaller one. How many replicas must hold a write is the cluster's
 * {@code min.insync.replicas}. Before an exactly-once stage starts, {@link #requireExactlyOnce()} checks that Kafka's
 * transaction and offsets topics can reach their minimum ISR.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** The default replication factor where the cluster has enough brokers. */
    static final int DEFAULT_REPLICATION = 3;

    private final KafkaSettings settings;
    private final Duration timeout;
    private final OptionalInt replicationFactor;

    /** Topic setup against the broker of {@code settings}, waiting at most 15 s for it to answer. */
    public TopicSetup(KafkaSettings settings) {
        this(settings, DEFAULT_TIMEOUT);
    }

    /** Topic setup waiting at most {@code timeout} for the broker to answer each request. */
    public TopicSetup(KafkaSettings settings, Duration timeout) {
        this(settings, timeout, OptionalInt.empty());
    }

    private TopicSetup(KafkaSettings settings, Duration timeout, OptionalInt replicationFactor) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        this.replicationFactor = replicationFactor;
    }

    /** The same setup creating topics with {@code factor} replicas (empty: {@code min(3, brokers up)}). */
    public TopicSetup withReplicationFactor(OptionalInt factor) {
        factor.ifPresent(f -> {
            if (f < 1) {
                throw new IllegalArgumentException("replication factor must be at least 1, got " + f);
            }
        });
        return new TopicSetup(settings, timeout, factor);
    }

    /**
     * Creates each topic that does not exist yet.
     *
     * @return the names of the topics this call created
     * @throws BrokerUnreachableException   when no broker answers in time
     * @throws KafkaAuthenticationException when the broker refuses the credentials of the Kafka client properties file
     * @throws KafkaConfigFileException     when Kafka's client rejects the settings of the Kafka client properties file
     * @throws IllegalStateException        when the broker refuses to create a topic
     */
    public Set<String> ensure(Collection<TopicSpec> topics) {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> config = settings.admin();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = createAdmin(config)) {
            Set<String> existing = await(admin.listTopics().names());
            List<TopicSpec> absent = topics.stream().filter(topic -> !existing.contains(topic.name())).toList();
            short replicas = absent.isEmpty() ? 1 : replicationFactor(admin);
            List<NewTopic> missing = absent.stream()
                    .map(topic -> new NewTopic(topic.name(), Optional.of(topic.partitions()),
                            Optional.of(topic.replicationFactor().orElse(replicas))).configs(topic.configs()))
                    .collect(Collectors.toList());
            Set<String> created = new TreeSet<>();
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(missing).values().entrySet()) {
                if (createdNow(result.getKey(), result.getValue())) {
                    created.add(result.getKey());
                }
            }
            if (!created.isEmpty()) {
                awaitVisible(admin, created);
                LOG.info("Created Kafka topics {} at {}", created, settings.bootstrapServers());
            }
            warnAboutPartitionCounts(admin, topics, existing);
            warnAboutConfigs(admin, topics, existing);
            return created;
        }
    }

    /**
     * The replication factor this setup gives new topics: its own, else {@code min(3, brokers up)}; for the topics
     * other clients create, such as Kafka Streams' internal ones.
     *
     * @throws BrokerUnreachableException when no broker answers in time
     */
    public int replicationFactor() {
        if (replicationFactor.isPresent()) {
            return replicationFactor.getAsInt();
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> config = settings.admin();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = createAdmin(config)) {
            return replicationFactor(admin);
        }
    }

    /** This setup's replication factor, else {@code min(3, brokers up)}. */
    private short replicationFactor(Admin admin) {
        if (replicationFactor.isPresent()) {
            return (short) replicationFactor.getAsInt();
        }
        return (short) Math.min(DEFAULT_REPLICATION, Math.max(1, await(admin.describeCluster().nodes()).size()));
    }

    /**
     * Checks that Kafka's transaction state and consumer offsets topics can reach their minimum of in-sync replicas
     * with the brokers up now: a transactional producer, or Kafka Streams with exactly_once_v2, would otherwise wait for
     * a coordinator that never comes. Where the cluster does not let this client read its configuration, nothing is
     * checked.
     *
     * @throws ExactlyOnceUnavailableException when either topic cannot reach its minimum ISR, or cannot even be created
     * @throws BrokerUnreachableException      when no broker answers in time
     */
    public void requireExactlyOnce() {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> config = settings.admin();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = createAdmin(config)) {
            List<Node> brokers = List.copyOf(await(admin.describeCluster().nodes()));
            Optional<Config> brokerConfig = describe(admin, new ConfigResource(ConfigResource.Type.BROKER,
                    String.valueOf(brokers.get(0).id())));
            if (brokerConfig.isEmpty()) {
                return;
            }
            for (InternalTopic topic : InternalTopic.values()) {
                requireInSyncReachable(admin, topic, brokerConfig.get(), brokers.size());
            }
        }
    }

    /** Kafka's internal topics that every exactly-once commit writes, with the broker settings that shape them. */
    private enum InternalTopic {
        TRANSACTION_STATE("__transaction_state", "transaction state", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr"),
        CONSUMER_OFFSETS("__consumer_offsets", "consumer offsets", "offsets.topic.replication.factor",
                "min.insync.replicas");

        final String topic;
        final String what;
        final String replicationSetting;
        final String minInSyncSetting;

        InternalTopic(String topic, String what, String replicationSetting, String minInSyncSetting) {
            this.topic = topic;
            this.what = what;
            this.replicationSetting = replicationSetting;
            this.minInSyncSetting = minInSyncSetting;
        }
    }

    private void requireInSyncReachable(Admin admin, InternalTopic internal, Config brokerConfig, int brokersUp) {
        Set<String> names = await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names());
        String brokers = brokersUp + (brokersUp == 1 ? " broker is" : " brokers are");
        String start = "Kafka cluster at " + settings.bootstrapServers() + " cannot run exactly-once transactions: its "
                + internal.what + " topic (" + internal.topic + ")";
        if (!names.contains(internal.topic)) {
            int replicas = intValue(brokerConfig, internal.replicationSetting);
            int minInSync = intValue(brokerConfig, internal.minInSyncSetting);
            if (replicas > brokersUp) {
                throw new ExactlyOnceUnavailableException(start + " is created with " + replicas + " replicas ("
                        + internal.replicationSetting + ") but only " + brokers + " up: start more brokers, or lower "
                        + internal.replicationSetting + " on the brokers");
            }
            if (minInSync > replicas) {
                throw new ExactlyOnceUnavailableException(start + " needs " + minInSync + " in-sync replicas ("
                        + internal.minInSyncSetting + ") of its " + replicas + " (" + internal.replicationSetting
                        + "): lower " + internal.minInSyncSetting + " on the brokers");
            }
            return;
        }
        TopicDescription description = await(admin.describeTopics(List.of(internal.topic)).allTopicNames()).get(internal.topic);
        int replicas = description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
        Optional<Config> topicConfig = describe(admin, new ConfigResource(ConfigResource.Type.TOPIC, internal.topic));
        if (topicConfig.isEmpty()) {
            return;
        }
        int minInSync = intValue(topicConfig.get(), "min.insync.replicas");
        if (minInSync > replicas) {
            throw new ExactlyOnceUnavailableException(start + " needs " + minInSync + " in-sync replicas"
                    + " (min.insync.replicas) but has " + replicas + " per partition: lower the topic's"
                    + " min.insync.replicas, or add replicas to it");
        }
        if (minInSync > brokersUp) {
            throw new ExactlyOnceUnavailableException(start + " needs " + minInSync + " in-sync replicas"
                    + " (min.insync.replicas) but only " + brokers + " up: start the brokers that are down");
        }
    }

    /** A resource's configuration, or empty where this client may not read it (the check is then skipped). */
    private Optional<Config> describe(Admin admin, ConfigResource resource) {
        try {
            return Optional.ofNullable(admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                LOG.debug("not allowed to read the configuration of {}: exactly-once readiness not checked", resource);
                return Optional.empty();
            }
            throw failure(e);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configuration of " + resource, e);
        }
    }

    private static int intValue(Config config, String name) {
        ConfigEntry entry = config.get(name);
        return entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
    }

    /** False when another client created the topic between our listing and our request. */
    private boolean createdNow(String topic, KafkaFuture<Void> creation) {
        try {
            creation.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            if (e.getCause() instanceof InvalidReplicationFactorException refused) {
                throw new UserError(Setting.REPLICATION, "Kafka at " + settings.bootstrapServers() + " cannot create"
                        + " topic " + topic + " (" + refused.getMessage() + "): ask for at most as many replicas as there"
                        + " are brokers", refused);
            }
            throw failure(e);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }

    /**
     * The controller acknowledges a creation before the broker's metadata shows it, and the metadata shows a leader
     * before that leader serves the partition. A producer that writes in between gets NOT_LEADER_OR_FOLLOWER on its
     * first batch, and an idempotent producer with several requests in flight can then stall until its delivery
     * timeout (seen here: whole partitions of a fresh topic lost to a 120 s timeout). So this waits until every
     * partition's leader answers a ListOffsets request, which only a serving leader does.
     */
    private void awaitVisible(Admin admin, Set<String> created) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(created).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                described.values().forEach(topic -> topic.partitions().forEach(p ->
                        partitions.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw failure(e);
                }
            } catch (TimeoutException e) {
                throw unreachable(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for new Kafka topics " + created, e);
            }
            pause();
        }
    }

    /** Only topics the listing showed are described: the broker's metadata surely holds them. */
    private void warnAboutPartitionCounts(Admin admin, Collection<TopicSpec> topics, Set<String> existing) {
        List<String> listed = topics.stream().map(TopicSpec::name).filter(existing::contains).collect(Collectors.toList());
        if (listed.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions = await(admin.describeTopics(listed).allTopicNames());
        for (TopicSpec topic : topics) {
            TopicDescription description = descriptions.get(topic.name());
            if (description != null && description.partitions().size() != topic.partitions()) {
                LOG.info("Kafka topic {} exists with {} partitions, not the {} asked for; it is used as it is",
                        topic.name(), description.partitions().size(), topic.partitions());
            }
        }
    }

    /** Existing topics whose configs differ from those asked for: they are used as they are, and the log says so. */
    private void warnAboutConfigs(Admin admin, Collection<TopicSpec> topics, Set<String> existing) {
        Map<ConfigResource, TopicSpec> asked = new HashMap<>();
        for (TopicSpec topic : topics) {
            if (existing.contains(topic.name()) && !topic.configs().isEmpty()) {
                asked.put(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()), topic);
            }
        }
        if (asked.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> actual;
        try {
            actual = await(admin.describeConfigs(asked.keySet()).all());
        } catch (IllegalStateException e) {
            // A principal may create and write topics without the right to describe their configs: only this
            // check is lost then.
            LOG.info("Could not read the configs of Kafka topics {} to compare them with {}: {}",
                    asked.values().stream().map(TopicSpec::name).toList(),
                    asked.values().stream().map(TopicSpec::configs).toList(), e.getMessage());
            return;
        }
        asked.forEach((resource, topic) -> topic.configs().forEach((name, value) -> {
            ConfigEntry entry = actual.get(resource).get(name);
            String found = entry == null ? null : entry.value();
            if (!value.equals(found)) {
                LOG.warn("Kafka topic {} exists with {}={}, not {} as asked; it is used as it is (change it with"
                        + " kafka-configs.sh --alter)", topic.name(), name, found, value);
            }
        }));
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for new Kafka topics", e);
        }
    }

    private <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(e.getCause());
            }
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while talking to the Kafka broker at " + settings.bootstrapServers(), e);
        }
    }

    /**
     * Kafka's clients check security settings only when they are built (a SASL protocol without a JAAS login, an
     * unknown mechanism); such a failure is the configuration's, so it is reported as one.
     */
    private Admin createAdmin(Map<String, Object> config) {
        try {
            return Admin.create(config);
        } catch (KafkaException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String file = settings.configFile().map(path -> " from " + path.toAbsolutePath()).orElse("");
            throw new KafkaConfigFileException("Kafka client settings" + file + " are unusable (" + oneLine(root)
                    + "): fix the Kafka client properties; a SASL security.protocol needs sasl.mechanism and a sasl.jaas.config"
                    + " with the user name and password", e);
        }
    }

    /**
     * No answer in time. A plaintext client that reaches a SASL or TLS listener gets no answer either (the broker
     * drops its requests), so when something does accept connections there, the message says so and names the
     * security settings rather than suggesting to start a broker.
     */
    private BrokerUnreachableException unreachable(Throwable cause) {
        String protocol = String.valueOf(settings.admin().getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
                "PLAINTEXT"));
        boolean plaintext = protocol.equalsIgnoreCase("PLAINTEXT");
        return new BrokerUnreachableException(settings.bootstrapServers(), plaintext && acceptsConnections(), cause);
    }

    private boolean acceptsConnections() {
        String first = settings.bootstrapServers().split(",")[0].strip();
        int colon = first.lastIndexOf(':');
        if (colon < 1) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1))),
                    2_000);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        return message.lines().findFirst().orElse(message);
    }

    private IllegalStateException failure(ExecutionException e) {
        Optional<KafkaAuthenticationException> refused = KafkaAuthenticationException.in(e, settings.bootstrapServers());
        if (refused.isPresent()) {
            return refused.get();
        }
        return new IllegalStateException("Kafka broker at " + settings.bootstrapServers() + " refused topic setup: "
                + e.getCause().getMessage(), e.getCause());
    }
}

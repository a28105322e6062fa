package io.cifarstream.broker;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import io.cifarstream.console.UserFixable;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Apache Kafka node in KRaft mode (one process acting as broker and controller), running inside this JVM: on
 * its own a single-node cluster listening on localhost, or with a {@link ClusterMembership} one node of a multi-node
 * cluster (see {@link LocalKafkaCluster} for several on one machine).
 *
 * <p>Obtain one with {@code EmbeddedKafkaBroker.builder()...start()}: {@code start()} returns once the
 * broker answers an Admin {@code describeCluster}; a cluster node first waits for a majority of its controller quorum.
 * Replication factors of the internal topics are {@code min(3, nodes)} and their minimum ISR 2 of 3 (1 on fewer
 * nodes), so consumer groups, transactions and Kafka Streams {@code exactly_once_v2} work on one node and survive the
 * loss of one node of three.
 * A data directory that already holds {@code meta.properties} is reused as is, so topics and records
 * survive a restart; without one a temporary directory is used and deleted by {@link #close()}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    static final String PLAINTEXT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "localhost";
    /** The node id of a single-node broker. */
    private static final int SINGLE_NODE_ID = 1;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final int port;
    private final int controllerPort;
    private final Map<String, Integer> extraListenerPorts;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean temporaryDataDir, int port,
                                int controllerPort, Map<String, Integer> extraListenerPorts) {
        this.server = server;
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.extraListenerPorts = Map.copyOf(extraListenerPorts);
    }

    /** Options for a broker; every one has a default, so {@code builder().start()} runs a throw-away broker. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code localhost:PORT} of the PLAINTEXT listener, the value for any client's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** {@code localhost:PORT} of an extra listener given to {@link Builder#listener(ListenerSpec)}. */
    public String bootstrapServers(String listenerName) {
        Integer listenerPort = extraListenerPorts.get(listenerName.toUpperCase(Locale.ROOT));
        if (listenerPort == null) {
            throw new IllegalArgumentException("this broker has no listener " + listenerName + "; its extra listeners are "
                    + extraListenerPorts.keySet());
        }
        return HOST + ":" + listenerPort;
    }

    /** The port of the PLAINTEXT listener. */
    public int port() {
        return port;
    }

    /** The port of the KRaft controller listener (not for clients). */
    public int controllerPort() {
        return controllerPort;
    }

    /** Where the broker keeps its logs and metadata. */
    public Path dataDir() {
        return dataDir;
    }

    /** Blocks until the broker has shut down, by {@link #close()} from another thread or by a fatal error. */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Shuts the broker down cleanly and deletes the data directory if it was a temporary one. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long begin = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        if (temporaryDataDir) {
            deleteRecursively(dataDir);
        }
        LOG.info("Kafka broker at {} shut down in {} ms", bootstrapServers(), elapsedMillis(begin));
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", data " + dataDir + "]";
    }

    /** Collects the options of a broker; {@link #start()} runs it. */
    public static final class Builder {

        private int port;
        private int controllerPort;
        private Path dataDir;
        private Path temporaryParent;
        private int defaultPartitions = 1;
        private Duration startTimeout = Duration.ofSeconds(60);
        private ClusterMembership membership;
        private String advertisedHost;
        private final List<ListenerSpec> extraListeners = new ArrayList<>();
        private final Map<String, String> extraProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Port of the PLAINTEXT client listener on localhost; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** Port of the KRaft controller listener on localhost; 0 (the default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort, "controller port");
            return this;
        }

        /**
         * Keeps logs and metadata in this directory (created if absent) and leaves it in place on close.
         * Without it the broker uses a temporary directory that {@link #close()} deletes.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /**
         * Without {@link #dataDir}: the temporary directory that {@link #close()} deletes is made inside
         * {@code parent} (created if absent) instead of {@code java.io.tmpdir}.
         */
        public Builder temporaryDataDirIn(Path parent) {
            this.temporaryParent = Objects.requireNonNull(parent, "parent");
            return this;
        }

        /** Partitions of topics created without an explicit count (Kafka's {@code num.partitions}); default 1. */
        public Builder defaultPartitions(int defaultPartitions) {
            if (defaultPartitions < 1) {
                throw new IllegalArgumentException("default partitions must be at least 1, got " + defaultPartitions);
            }
            this.defaultPartitions = defaultPartitions;
            return this;
        }

        /** How long {@link #start()} waits for the broker to answer; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("start timeout must be positive, got " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Makes this broker one node of a multi-node cluster: formatted with the cluster's id, its node id, and the
         * controller quorum whose entry for this node gives the controller port. Internal topics get
         * {@code min(3, nodes)} replicas and a minimum ISR of 2 of 3.
         */
        public Builder membership(ClusterMembership membership) {
            this.membership = Objects.requireNonNull(membership, "membership");
            return this;
        }

        /**
         * The host name clients and the other nodes reach this broker at, for a node on a machine of its own: the
         * listeners then bind every interface and advertise this name. Without it everything binds localhost.
         */
        public Builder advertisedHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("advertised host must not be blank");
            }
            this.advertisedHost = host.strip();
            return this;
        }

        /** Adds a client listener besides PLAINTEXT, e.g. SASL_PLAINTEXT; configure it with {@link #brokerProperty}. */
        public Builder listener(ListenerSpec listener) {
            extraListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Sets a broker property; it overrides the single-node defaults of this class. */
        public Builder brokerProperty(String key, String value) {
            extraProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets several broker properties; they override the single-node defaults of this class. */
        public Builder brokerProperties(Map<String, String> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /**
         * Formats the data directory if it has never been formatted, starts the broker and returns once it
         * answers a client.
         *
         * @throws PortInUseException    when a requested port is taken
         * @throws IllegalStateException when the broker fails to start or does not answer in time
         */
        public EmbeddedKafkaBroker start() {
            long begin = System.nanoTime();
            ListenPorts ports = ListenPorts.on(HOST);
            int brokerPort = ports.claim(port, "the client port");
            int quorumPort = ports.claim(quorumPortAsked(), "the controller port");
            Map<String, Integer> listenerPorts = new LinkedHashMap<>();
            for (ListenerSpec listener : extraListeners) {
                listenerPorts.put(listener.name(), ports.claim(listener.port(), "the " + listener.name() + " listener's port"));
            }
            boolean temporary = dataDir == null;
            Path dir = temporary ? createTempDir(temporaryParent) : createDirs(dataDir);
            requireNoClusterIn(dir);
            requireUnused(dir);
            Map<String, String> config = brokerConfig(brokerPort, quorumPort, listenerPorts, dir);
            KafkaRaftServer server = null;
            try {
                formatIfNew(dir, membership);
                server = new KafkaRaftServer(new KafkaConfig(config), Time.SYSTEM);
                if (membership != null) {
                    LOG.info("Kafka node {} of cluster {} starting; it serves once a majority of the controller quorum"
                            + " {} is up", membership.nodeId(), membership.clusterId(), membership.votersConfig());
                }
                server.startup();
                String bootstrap = HOST + ":" + brokerPort;
                awaitAnswer(bootstrap, startTimeout);
                EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dir, temporary, brokerPort, quorumPort, listenerPorts);
                LOG.info("Kafka broker (KRaft) ready at {} in {} ms, data in {}", bootstrap, elapsedMillis(begin), dir);
                return broker;
            } catch (RuntimeException e) {
                abandon(server, dir, temporary);
                throw translateStartFailure(e, brokerPort, quorumPort);
            }
        }

        /** A cluster node's controller port is its entry in the quorum; a single node's is the option (0: any). */
        private int quorumPortAsked() {
            if (membership == null) {
                return controllerPort;
            }
            int voterPort = membership.self().port();
            if (controllerPort != 0 && controllerPort != voterPort) {
                throw new IllegalArgumentException("controller port " + controllerPort + " differs from this node's"
                        + " entry in the controller quorum, " + membership.self());
            }
            return voterPort;
        }

        private Map<String, String> brokerConfig(int brokerPort, int quorumPort, Map<String, Integer> listenerPorts, Path dir) {
            // On a machine of its own a node binds every interface and advertises its name; else only localhost.
            String bindHost = advertisedHost == null ? HOST : "";
            String reachedAt = advertisedHost == null ? HOST : advertisedHost;
            List<String> listeners = new ArrayList<>(List.of(
                    PLAINTEXT_LISTENER + "://" + bindHost + ":" + brokerPort,
                    CONTROLLER_LISTENER + "://" + bindHost + ":" + quorumPort));
            List<String> advertised = new ArrayList<>(List.of(PLAINTEXT_LISTENER + "://" + reachedAt + ":" + brokerPort));
            List<String> protocols = new ArrayList<>(List.of(
                    PLAINTEXT_LISTENER + ":PLAINTEXT", CONTROLLER_LISTENER + ":PLAINTEXT"));
            for (ListenerSpec listener : extraListeners) {
                int listenerPort = listenerPorts.get(listener.name());
                listeners.add(listener.name() + "://" + bindHost + ":" + listenerPort);
                advertised.add(listener.name() + "://" + reachedAt + ":" + listenerPort);
                protocols.add(listener.name() + ":" + listener.securityProtocol());
            }
            ClusterMembership cluster = membership != null ? membership : new ClusterMembership(
                    ClusterMembership.newClusterId(), SINGLE_NODE_ID, List.of(new QuorumVoter(SINGLE_NODE_ID, HOST, quorumPort)));
            String replicas = String.valueOf(cluster.replicationFactor());
            String minInSync = String.valueOf(cluster.minInSyncReplicas());
            // One node: one partition is plenty for the internal topics' load. Several: three per node, so that the
            // group and transaction coordinators spread over the nodes (Kafka's 50 are for clusters with many groups).
            String internalPartitions = String.valueOf(cluster.voters().size() == 1 ? 1 : 3 * cluster.voters().size());
            Map<String, String> config = new LinkedHashMap<>();
            config.put("process.roles", "broker,controller");
            config.put("node.id", String.valueOf(cluster.nodeId()));
            config.put("listeners", String.join(",", listeners));
            config.put("advertised.listeners", String.join(",", advertised));
            config.put("listener.security.protocol.map", String.join(",", protocols));
            config.put("controller.listener.names", CONTROLLER_LISTENER);
            config.put("inter.broker.listener.name", PLAINTEXT_LISTENER);
            config.put("controller.quorum.voters", cluster.votersConfig());
            config.put("log.dirs", dir.toString());
            config.put("num.partitions", String.valueOf(defaultPartitions));
            // Every topic, internal or not, has min(3, nodes) replicas and needs 2 of 3 in sync (1 on fewer nodes).
            config.put("default.replication.factor", replicas);
            config.put("min.insync.replicas", minInSync);
            config.put("offsets.topic.replication.factor", replicas);
            config.put("offsets.topic.num.partitions", internalPartitions);
            config.put("transaction.state.log.replication.factor", replicas);
            config.put("transaction.state.log.min.isr", minInSync);
            config.put("transaction.state.log.num.partitions", internalPartitions);
            config.put("share.coordinator.state.topic.replication.factor", replicas);
            config.put("share.coordinator.state.topic.min.isr", minInSync);
            config.put("share.coordinator.state.topic.num.partitions", internalPartitions);
            // Consumers of a fresh group start at once instead of waiting 3 s for more members.
            config.put("group.initial.rebalance.delay.ms", "0");
            // It shares the machine with its clients: request threads sized to the cores, not to Kafka's dedicated
            // server (8 I/O and 3 network threads). On 2 cores the broker used 8-20% less CPU per scored image (measured
            // with bench scorer), the cores going to the scorer instead.
            int cores = Runtime.getRuntime().availableProcessors();
            config.put("num.io.threads", String.valueOf(Math.max(2, cores)));
            config.put("num.network.threads", String.valueOf(Math.max(1, cores / 4)));
            config.putAll(extraProperties);
            return config;
        }

        /**
         * A second broker on a directory in use would start its Raft log there before Kafka's own lock
         * check stops it, and break the running broker; so the lock Kafka holds is probed first.
         */
        private static void requireUnused(Path dir) {
            Path lockFile = dir.resolve(".lock");
            if (!Files.exists(lockFile)) {
                return;
            }
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    throw dataDirInUse(dir);
                }
                lock.release();
            } catch (OverlappingFileLockException e) {
                throw dataDirInUse(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("could not check whether Kafka data directory " + dir + " is in use", e);
            }
        }

        /** A local cluster's directory holds its nodes' directories, never a node's data at its top. */
        private static void requireNoClusterIn(Path dir) {
            if (Files.exists(dir.resolve(ClusterLayout.FILE))) {
                throw new UserError(Setting.BROKER_DIR, "Kafka data directory " + dir + " holds a cluster of node"
                        + " processes (" + ClusterLayout.FILE + "), not a single node's data: start that"
                        + " cluster, or choose another directory");
            }
        }

        private static UserError dataDirInUse(Path dir) {
            return new UserError(Setting.BROKER_DIR, "Kafka data directory " + dir
                    + " is in use by another running broker: stop that broker or choose another directory");
        }

        private static void formatIfNew(Path dir, ClusterMembership membership) {
            if (Files.exists(dir.resolve("meta.properties"))) {
                if (membership != null) {
                    requireSameNode(dir, membership);
                }
                LOG.info("Reusing formatted Kafka data directory {}", dir);
                return;
            }
            ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
            try (PrintStream print = new PrintStream(formatterOutput, true, StandardCharsets.UTF_8)) {
                new Formatter()
                        .setPrintStream(print)
                        .setNodeId(membership == null ? SINGLE_NODE_ID : membership.nodeId())
                        .setClusterId(membership == null ? ClusterMembership.newClusterId() : membership.clusterId())
                        .setDirectories(List.of(dir.toString()))
                        .setMetadataLogDirectory(dir.toString())
                        .setControllerListenerName(CONTROLLER_LISTENER)
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .run();
            } catch (Exception e) {
                throw new IllegalStateException("could not format Kafka data directory " + dir + ": " + e.getMessage()
                        + " (delete the directory or pass another one)", e);
            }
            LOG.info("Formatted new Kafka data directory {} at metadata.version {}", dir, MetadataVersion.latestProduction());
            LOG.debug("Kafka storage formatter said: {}", formatterOutput.toString(StandardCharsets.UTF_8).strip());
        }

        /** A data directory of another cluster or node would fail deep inside Kafka; this names it and the fix. */
        private static void requireSameNode(Path dir, ClusterMembership membership) {
            Properties meta = new Properties();
            try (var reader = Files.newBufferedReader(dir.resolve("meta.properties"), StandardCharsets.UTF_8)) {
                meta.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + dir.resolve("meta.properties"), e);
            }
            String cluster = meta.getProperty("cluster.id", "");
            String node = meta.getProperty("node.id", "");
            if (!cluster.equals(membership.clusterId()) || !node.equals(String.valueOf(membership.nodeId()))) {
                throw new UserError(Setting.BROKER_DIR, "Kafka data directory " + dir + " belongs to node " + node
                        + " of cluster " + cluster + ", not to node " + membership.nodeId() + " of cluster "
                        + membership.clusterId() + ": choose that node's own directory, or an empty one");
            }
        }

        private static void awaitAnswer(String bootstrap, Duration timeout) {
            int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            Map<String, Object> adminConfig = Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5_000));
            try (Admin admin = Admin.create(adminConfig)) {
                Collection<Node> nodes = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
                if (nodes.isEmpty()) {
                    throw new IllegalStateException("Kafka broker at " + bootstrap + " reports no live node");
                }
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Kafka broker at " + bootstrap + " did not answer within "
                        + timeout.toSeconds() + " s (" + e.getMessage() + "); see the broker log above for the cause", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka broker at " + bootstrap, e);
            }
        }

        private static void abandon(KafkaRaftServer server, Path dir, boolean temporary) {
            try {
                if (server != null) {
                    server.shutdown();
                    server.awaitShutdown();
                }
            } catch (RuntimeException e) {
                LOG.warn("Kafka broker did not shut down cleanly after a failed start: {}", e.toString());
            }
            if (temporary) {
                deleteRecursively(dir);
            }
        }

        /** A bind failure that slipped past the pre-check (a race) still gets the one-line port message. */
        private static RuntimeException translateStartFailure(RuntimeException failure, int brokerPort, int quorumPort) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                String message = String.valueOf(cause.getMessage());
                if (cause instanceof BindException || message.contains("Address already in use")) {
                    return message.contains(":" + quorumPort)
                            ? new PortInUseException(quorumPort, "the controller port")
                            : new PortInUseException(brokerPort, "the client port");
                }
            }
            if (failure instanceof IllegalStateException || failure instanceof UserFixable) {
                return failure;
            }
            return new IllegalStateException("Kafka broker failed to start: " + failure, failure);
        }

        private static int checkPort(int port, String what) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(what + " " + port + " is outside 0..65535 (0 picks a free port)");
            }
            return port;
        }

        private static Path createTempDir(Path parent) {
            try {
                return parent == null ? Files.createTempDirectory("cifar-stream-kafka-")
                        : Files.createTempDirectory(createDirs(parent), "cifar-stream-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a temporary Kafka data directory: " + e.getMessage()
                        + (parent == null ? " (check java.io.tmpdir)" : " (check " + parent + ")"), e);
            }
        }

        private static Path createDirs(Path dir) {
            try {
                return Files.createDirectories(dir.toAbsolutePath());
            } catch (IOException e) {
                throw new UncheckedIOException("could not create Kafka data directory " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private static long elapsedMillis(long beginNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path path : deepestFirst) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete temporary Kafka data directory {}: {}", dir, e.toString());
        }
    }
}

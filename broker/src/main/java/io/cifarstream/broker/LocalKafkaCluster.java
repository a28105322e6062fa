package io.cifarstream.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real multi-node Kafka cluster on this machine: one JVM process per node ({@link KafkaNodeProcess}), each a broker
 * and a voter of the static KRaft controller quorum, all formatted with one cluster id. The layout (cluster id, ports)
 * is kept in {@code cluster.properties} of the data directory, so the same directory starts the same cluster again with
 * every topic and record; node {@code N} keeps its data under {@code node-N/}, its log in {@code node-N/node.log}.
 *
 * <p>Nodes can be killed (SIGKILL), stopped cleanly and started again one by one, for fault tests and rolling restarts.
 * {@link #close()} stops every node cleanly. A node process also stops when the process that started it ends, however
 * it ends.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaCluster.class);
    private static final String HOST = "localhost";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How long closing this class's admin client may wait for its pending calls. Unbounded, a close after a node
     * failed its start can wait forever: with a node port held by a socket that accepts connections and never
     * answers, {@code Admin.close()} waited over 18 minutes (its thread polling, the calls never ending).
     */
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final String clusterId;
    private final List<QuorumVoter> voters;
    private final Map<Integer, Integer> ports;
    private final Duration startTimeout;
    private final List<String> jvmOptions;
    private final int defaultPartitions;
    private final Map<Integer, Process> running = new TreeMap<>();

    private LocalKafkaCluster(Builder builder, Path dataDir, boolean temporaryDataDir, ClusterLayout layout) {
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
        this.clusterId = layout.clusterId();
        this.voters = layout.voters();
        this.ports = layout.ports();
        this.startTimeout = builder.startTimeout;
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.defaultPartitions = builder.defaultPartitions;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every node's client address, {@code localhost:P1,localhost:P2,...}: the value for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return ports.values().stream().map(port -> HOST + ":" + port).collect(Collectors.joining(","));
    }

    /** One node's client address. */
    public String bootstrapServers(int nodeId) {
        return HOST + ":" + port(nodeId);
    }

    public String clusterId() {
        return clusterId;
    }

    /** The node ids, 1 to N. */
    public List<Integer> nodeIds() {
        return List.copyOf(ports.keySet());
    }

    /** Replicas of every partition, Kafka's internal topics' included. */
    public int replicationFactor() {
        return new ClusterMembership(clusterId, voters.get(0).nodeId(), voters).replicationFactor();
    }

    /** Replicas that must hold a write before it is acknowledged ({@code min.insync.replicas}). */
    public int minInSyncReplicas() {
        return new ClusterMembership(clusterId, voters.get(0).nodeId(), voters).minInSyncReplicas();
    }

    /** The controller quorum, {@code controller.quorum.voters}. */
    public List<QuorumVoter> voters() {
        return voters;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Node {@code nodeId}'s log file: its Kafka log lines and anything it printed. */
    public Path logFile(int nodeId) {
        return nodeDir(nodeId).resolve("node.log");
    }

    /** The operating-system process of a running node, e.g. to read its CPU time. */
    public synchronized ProcessHandle process(int nodeId) {
        Process process = running.get(nodeId);
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        return process.toHandle();
    }

    public synchronized boolean isRunning(int nodeId) {
        Process process = running.get(nodeId);
        return process != null && process.isAlive();
    }

    /** SIGKILL: the node dies at once, with no clean shutdown and no leadership handed over. */
    public void kill(int nodeId) {
        Process process;
        synchronized (this) {
            process = running.remove(requireNode(nodeId));
        }
        if (process == null) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        process.destroyForcibly();
        awaitExit(process, nodeId, STOP_TIMEOUT);
        LOG.info("Kafka node {} killed (SIGKILL)", nodeId);
    }

    /** SIGTERM: a clean shutdown; the controller moves the node's leaderships to other nodes first. */
    public void stop(int nodeId) {
        Process process;
        synchronized (this) {
            process = running.remove(requireNode(nodeId));
        }
        if (process == null) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        long begin = System.nanoTime();
        process.destroy();
        awaitExit(process, nodeId, STOP_TIMEOUT);
        LOG.info("Kafka node {} stopped cleanly in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }

    /** Starts a node that is not running, on its ports and data, and returns once the cluster counts it as a broker. */
    public void start(int nodeId) {
        launch(requireNode(nodeId));
        awaitBrokers(Set.of(nodeId), startTimeout);
    }

    /**
     * Waits until every partition of every topic, Kafka's internal ones included, has all its replicas in sync: the
     * moment a rolling restart may take the next node down without a partition falling below its minimum ISR.
     */
    public void awaitFullyReplicated(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lagging = "";
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                            .get(10, TimeUnit.SECONDS);
                    Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                    lagging = underReplicated(topics.values());
                    if (lagging.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lagging = e.toString();
                }
                pause(Duration.ofMillis(200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for in-sync replicas", e);
        }
        throw new IllegalStateException("partitions still under-replicated after " + timeout.toSeconds() + " s: " + lagging);
    }

    private static String underReplicated(Collection<TopicDescription> topics) {
        List<String> lagging = new ArrayList<>();
        for (TopicDescription topic : topics) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.leader() == null || partition.isr().size() < partition.replicas().size()) {
                    lagging.add(topic.name() + "-" + partition.partition() + " isr " + ids(partition.isr()) + " of "
                            + ids(partition.replicas()));
                }
            }
        }
        return lagging.stream().limit(5).collect(Collectors.joining(", ")) + (lagging.size() > 5
                ? " and " + (lagging.size() - 5) + " more" : "");
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    /** Stops every running node cleanly, all at once; deletes the data directory if it was a temporary one. */
    @Override
    public void close() {
        List<Map.Entry<Integer, Process>> stopping;
        synchronized (this) {
            stopping = new ArrayList<>(running.entrySet());
            running.clear();
        }
        stopping.forEach(node -> node.getValue().destroy());
        stopping.forEach(node -> awaitExit(node.getValue(), node.getKey(), STOP_TIMEOUT));
        if (temporaryDataDir) {
            deleteRecursively(dataDir);
        }
        LOG.info("Kafka cluster {} stopped", clusterId);
    }

    @Override
    public String toString() {
        return "LocalKafkaCluster[" + ports.size() + " nodes at " + bootstrapServers() + ", data " + dataDir + "]";
    }

    private int port(int nodeId) {
        return ports.get(requireNode(nodeId));
    }

    private int requireNode(int nodeId) {
        if (!ports.containsKey(nodeId)) {
            throw new IllegalArgumentException("no node " + nodeId + " in this cluster; its nodes are " + ports.keySet());
        }
        return nodeId;
    }

    private Path nodeDir(int nodeId) {
        return dataDir.resolve("node-" + nodeId);
    }

    private synchronized void launch(int nodeId) {
        if (isRunning(nodeId)) {
            throw new IllegalStateException("node " + nodeId + " is running already");
        }
        Path nodeDir = nodeDir(nodeId);
        Path nodeFile = nodeDir.resolve("node.properties");
        Properties node = new Properties();
        node.setProperty(KafkaNodeProcess.CLUSTER_ID, clusterId);
        node.setProperty(KafkaNodeProcess.NODE_ID, String.valueOf(nodeId));
        node.setProperty(KafkaNodeProcess.VOTERS, voters.stream().map(QuorumVoter::toString).collect(Collectors.joining(",")));
        node.setProperty(KafkaNodeProcess.PORT, String.valueOf(port(nodeId)));
        node.setProperty(KafkaNodeProcess.DATA_DIR, nodeDir.resolve("kafka").toString());
        node.setProperty(KafkaNodeProcess.DEFAULT_PARTITIONS, String.valueOf(defaultPartitions));
        write(nodeFile, node, "node " + nodeId + " of cluster " + clusterId + ", written by LocalKafkaCluster");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(), KafkaNodeProcess.class.getName(), nodeFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(nodeId).toFile()));
        try {
            // stdin stays a pipe this process holds: when it ends, however it ends, the node sees the pipe close.
            running.put(nodeId, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka node " + nodeId + ": " + command, e);
        }
    }

    /** The classpath of this JVM, absolute, so the nodes run the same Kafka as this process whatever their directory. */
    private static String classpath() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /** Waits until the brokers {@code nodeIds} are registered and unfenced; fails early when a node process died. */
    private void awaitBrokers(Set<Integer> nodeIds, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            Set<Integer> live = Set.of();
            while (true) {
                for (int nodeId : nodeIds) {
                    requireRunning(nodeId);
                }
                try {
                    live = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id)
                            .collect(Collectors.toSet());
                    if (live.containsAll(nodeIds)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not answering yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka nodes " + nodeIds + " did not join the cluster within "
                            + timeout.toSeconds() + " s (brokers up: " + live + "); see " + dataDir + "/node-N/node.log");
                }
                pause(Duration.ofMillis(200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka nodes " + nodeIds, e);
        }
    }

    private synchronized void requireRunning(int nodeId) {
        Process process = running.get(nodeId);
        if (process != null && !process.isAlive()) {
            running.remove(nodeId);
            throw new IllegalStateException("Kafka node " + nodeId + " exited with " + process.exitValue()
                    + " while starting: " + lastLine(logFile(nodeId)) + " (its log: " + logFile(nodeId) + ")");
        }
    }

    /** An admin client of this cluster whose {@code close()} waits at most {@link #ADMIN_CLOSE_TIMEOUT}. */
    private Admin admin() {
        return new BoundedCloseAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Kafka's admin client, closed within {@link #ADMIN_CLOSE_TIMEOUT} by try-with-resources. */
    private static final class BoundedCloseAdmin extends ForwardingAdmin {
        BoundedCloseAdmin(Map<String, Object> config) {
            super(config);
        }

        @Override
        public void close() {
            close(ADMIN_CLOSE_TIMEOUT);
        }
    }

    private static void awaitExit(Process process, int nodeId, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Kafka node {} did not stop within {} s; killing it", nodeId, timeout.toSeconds());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A node's last line: the cause where it could not start ({@link KafkaNodeProcess}), the JVM's own error else. */
    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "(its log is empty)" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void write(Path file, Properties properties, String comment) {
        try {
            Files.createDirectories(file.getParent());
            try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                properties.store(writer, comment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete temporary Kafka cluster directory {}: {}", dir, e.toString());
        }
    }

    /** Collects the options of a cluster; {@link #start()} runs it. */
    public static final class Builder {

        private int nodes = 3;
        private Path dataDir;
        private int firstPort;
        private int firstControllerPort;
        private int defaultPartitions = 1;
        private Duration startTimeout = Duration.ofMinutes(2);
        /**
         * The nodes share the machine with their clients: the serial collector and the C1 compiler alone (no C2) cost
         * less CPU; three nodes started with 16 CPU seconds instead of 24 (measured on 2 cores).
         */
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx768m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));

        private Builder() {
        }

        /** How many nodes, each a broker and a controller; default 3. */
        public Builder nodes(int nodes) {
            if (nodes < 1) {
                throw new IllegalArgumentException("a cluster needs at least 1 node, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** Keeps the cluster under this directory (created if absent); without it a temporary one is deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Client port of node 1; node N listens on this + N - 1. 0 (the default) picks free ports. */
        public Builder firstPort(int port) {
            this.firstPort = checkPort(port);
            return this;
        }

        /** Controller port of node 1; node N's is this + N - 1. 0 (the default) picks free ports. */
        public Builder firstControllerPort(int port) {
            this.firstControllerPort = checkPort(port);
            return this;
        }

        /** Partitions of topics created without an explicit count; default 1. */
        public Builder defaultPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("default partitions must be at least 1, got " + partitions);
            }
            this.defaultPartitions = partitions;
            return this;
        }

        /** How long {@link #start()} and a node's restart wait for the nodes to join; default 2 minutes. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** JVM options of every node process; the default is a 768 MB heap, the serial collector and C1 only. */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /** Starts every node at once and returns when all of them are brokers of one cluster. */
        public LocalKafkaCluster start() {
            long begin = System.nanoTime();
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("cifar-stream-cluster-")
                        : Files.createDirectories(dataDir.toAbsolutePath());
            } catch (IOException e) {
                throw new UncheckedIOException("could not create the Kafka cluster directory " + dataDir + ": "
                        + e.getMessage(), e);
            }
            ClusterLayout layout = ClusterLayout.loadOrCreate(dir, nodes, firstPort, firstControllerPort);
            LocalKafkaCluster cluster = new LocalKafkaCluster(this, dir, temporary, layout);
            try {
                cluster.nodeIds().forEach(cluster::launch);
                cluster.awaitBrokers(Set.copyOf(cluster.nodeIds()), startTimeout);
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            LOG.info("Kafka cluster {} of {} nodes ready at {} in {} ms, data in {}", layout.clusterId(), nodes,
                    cluster.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), dir);
            return cluster;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is outside 0..65535 (0 picks free ports)");
            }
            return port;
        }
    }
}

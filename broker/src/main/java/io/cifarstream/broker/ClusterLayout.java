package io.cifarstream.broker;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The cluster's identity, fixed at its first start and read back from {@code cluster.properties} after that: its id
 * and each node's client and controller port.
 */
record ClusterLayout(String clusterId, Map<Integer, Integer> ports, List<QuorumVoter> voters) {

    /** The file that marks a directory as a local cluster's. */
    static final String FILE = "cluster.properties";
    private static final String HOST = "localhost";

    static ClusterLayout loadOrCreate(Path dir, int nodes, int firstPort, int firstControllerPort) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            throw new UserError(Setting.BROKER_DIR, "Kafka data directory " + dir + " holds a single node's data,"
                    + " not a cluster of node processes: start it as a single node, or choose another directory");
        }
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            ClusterLayout kept = read(file);
            if (kept.ports().size() != nodes) {
                throw new UserError(Setting.BROKER_DIR, "Kafka data directory " + dir + " holds a cluster of "
                        + kept.ports().size() + " nodes, not " + nodes + ": start it with that many, or choose"
                        + " another directory");
            }
            if (firstPort != 0 && kept.ports().get(1) != firstPort) {
                throw new UserError(Setting.BROKER_DIR, "Kafka data directory " + dir + " holds a cluster on ports "
                        + kept.ports().values() + ", not from " + firstPort + ": start it on its ports, or choose"
                        + " another directory");
            }
            return kept;
        }
        ListenPorts listenPorts = ListenPorts.on(HOST);
        Map<Integer, Integer> ports = new TreeMap<>();
        List<QuorumVoter> voters = new ArrayList<>();
        for (int node = 1; node <= nodes; node++) {
            ports.put(node, listenPorts.claim(nth(firstPort, node), "the client port of node " + node));
            voters.add(new QuorumVoter(node, HOST, listenPorts.claim(nth(firstControllerPort, node),
                    "the controller port of node " + node)));
        }
        ClusterLayout layout = new ClusterLayout(ClusterMembership.newClusterId(), ports, voters);
        Properties properties = new Properties();
        properties.setProperty("cluster.id", layout.clusterId());
        properties.setProperty("nodes", String.valueOf(nodes));
        ports.forEach((node, port) -> properties.setProperty("node." + node + ".port", String.valueOf(port)));
        properties.setProperty("controller.quorum.voters",
                voters.stream().map(QuorumVoter::toString).collect(Collectors.joining(",")));
        LocalKafkaCluster.write(file, properties, "A local Kafka cluster; delete this directory to start over");
        return layout;
    }

    private static ClusterLayout read(Path file) {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        int nodes = Integer.parseInt(properties.getProperty("nodes"));
        Map<Integer, Integer> ports = new TreeMap<>();
        IntStream.rangeClosed(1, nodes).forEach(node ->
                ports.put(node, Integer.parseInt(properties.getProperty("node." + node + ".port"))));
        List<QuorumVoter> voters = Stream.of(properties.getProperty("controller.quorum.voters").split(","))
                .map(QuorumVoter::parse).toList();
        return new ClusterLayout(properties.getProperty("cluster.id"), ports, voters);
    }

    /** {@code first + node - 1}, or 0 (any free port) when {@code first} is 0. */
    private static int nth(int first, int node) {
        return first == 0 ? 0 : first + node - 1;
    }
}

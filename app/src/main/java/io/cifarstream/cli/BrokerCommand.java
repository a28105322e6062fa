package io.cifarstream.cli;

import io.cifarstream.broker.ClusterMembership;
import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.broker.LocalKafkaCluster;
import io.cifarstream.broker.QuorumVoter;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cifar-stream broker}: runs Kafka in the foreground until Ctrl-C, keeping its data in {@code --dir} so a later
 * run continues with the same topics and records. Three ways: one node alone (the default), {@code --nodes N} node
 * processes on this machine forming one replicated cluster, or {@code --node-id} one node of a cluster spread over
 * machines. Exit code 128 + the signal's number after a clean shutdown (130 after Ctrl-C, 143 after SIGTERM), 1 when
 * Kafka cannot start (the cause is printed in one line).
 */
@Command(name = "broker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Kafka (KRaft) for this project and any Kafka client: one node, a cluster of node processes on"
                + " this machine (--nodes 3), or one node of a cluster spread over machines (--node-id)", "",
                "Every node is a broker and a controller. A cluster of 3 or more keeps 3 replicas of every partition,"
                + " Kafka's internal topics included, and acknowledges a write once 2 of them hold it."})
public final class BrokerCommand implements Callable<Integer>, FlagRules {

    private static final String VOTERS = "\\d{1,9}@[A-Za-z0-9._\\[\\]:-]+:\\d{1,5}(,\\d{1,9}@[A-Za-z0-9._\\[\\]:-]+:\\d{1,5})*";

    @Spec
    private CommandSpec spec;

    @Range(min = 1, max = 9)
    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N",
            description = "Node processes on this machine, each a broker and a controller; with 3 or more every"
                    + " partition has 3 replicas. Node i listens on --port + i - 1. Default: ${DEFAULT-VALUE}.")
    private int nodes;

    @Range(min = 0, max = 65535)
    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Client (PLAINTEXT) port; 0 picks a free one (per node). Default: ${DEFAULT-VALUE}.")
    private int port;

    @Range(min = 0, max = 65535)
    @Option(names = "--controller-port", defaultValue = "0", paramLabel = "PORT",
            description = "KRaft controller port (not for clients), of node 1 with --nodes; 0 picks free ones."
                    + " Default: ${DEFAULT-VALUE}.")
    private int controllerPort;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--dir", defaultValue = "runs/kafka", paramLabel = "PATH",
            description = "Data directory, kept between runs (with --nodes: node-1/, node-2/, ... inside)."
                    + " Default: ${DEFAULT-VALUE}.")
    private Path dir;

    @Range(min = 1, max = 10_000)
    @Option(names = "--partitions", defaultValue = "1", paramLabel = "N",
            description = "Partitions of topics created without an explicit count. Default: ${DEFAULT-VALUE}.")
    private int partitions;

    @Range(min = 0, max = 999_999_999)
    @Option(names = "--node-id", paramLabel = "ID",
            description = "Run one node of a cluster spread over machines, with this id (one of --controllers).")
    private Integer nodeId;

    @Matches(regex = VOTERS, describe = "ID@HOST:PORT of every controller, separated by commas")
    @Option(names = "--controllers", paramLabel = "ID@HOST:PORT,...",
            description = "With --node-id: the controller quorum, every node's id and controller address, the same on"
                    + " every node (e.g. 1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093).")
    private String controllers;

    @Matches(regex = "[A-Za-z0-9_-]{22}", describe = "a Kafka cluster id: 22 characters of base64url")
    @Option(names = "--cluster-id", paramLabel = "ID",
            description = "With --node-id: the cluster's id, the same on every node.")
    private String clusterId;

    @Matches(regex = Matches.HOST, describe = Matches.HOST_WORDS)
    @Option(names = "--host", paramLabel = "HOST",
            description = "With --node-id: the name clients and the other nodes reach this node at; it then listens on"
                    + " every interface. Default: localhost, listening there only.")
    private String host;

    @Override
    public Integer call() {
        // The broker stops cleanly before the JVM's shutdown begins (see StopSignal).
        StopSignal stop = StopSignal.install();
        int exit = runUntil(stop.asked());
        return exit == 0 ? stop.exitCode() : exit;
    }

    @Override
    public void checkFlags(CommandLine commandLine) {
        if (nodeId == null) {
            for (String flag : List.of("--controllers", "--cluster-id", "--host")) {
                if (commandLine.getParseResult().hasMatchedOption(flag)) {
                    throw new ParameterException(commandLine, flag + " describes one node of a cluster spread over"
                            + " machines: give --node-id too");
                }
            }
            return;
        }
        if (nodes != 1) {
            throw new ParameterException(commandLine, "--nodes starts a whole cluster on this machine, --node-id one node"
                    + " of a cluster spread over machines: give one of them");
        }
        if (controllers == null) {
            throw new ParameterException(commandLine, "--node-id needs --controllers: every controller's"
                    + " ID@HOST:PORT, the same on every node");
        }
        if (clusterId == null) {
            throw new ParameterException(commandLine, "--node-id needs --cluster-id, the same on every node; a new"
                    + " cluster can take this fresh one: --cluster-id " + ClusterMembership.newClusterId());
        }
        if (commandLine.getParseResult().hasMatchedOption("--controller-port")) {
            throw new ParameterException(commandLine, "with --node-id the controller port is this node's entry in"
                    + " --controllers: drop --controller-port");
        }
        if (voters().stream().noneMatch(voter -> voter.nodeId() == nodeId)) {
            throw new ParameterException(commandLine, "--node-id " + nodeId + " is not in --controllers " + controllers
                    + ": every node is a broker and a controller, so the quorum lists each one");
        }
    }

    /** Starts Kafka as the flags say, prints how to reach it, and stops it once {@code stop} opens. */
    int runUntil(CountDownLatch stop) {
        if (nodes > 1) {
            return runCluster(stop);
        }
        PrintWriter out = spec.commandLine().getOut();
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .port(port)
                .dataDir(dir)
                .defaultPartitions(partitions);
        if (nodeId != null) {
            builder.membership(new ClusterMembership(clusterId, nodeId, voters()));
            if (host != null) {
                builder.advertisedHost(host);
            }
        } else {
            builder.controllerPort(controllerPort);
        }
        // A port or data directory in use fails here with a one-line UserFixable error (see Main).
        try (EmbeddedKafkaBroker broker = builder.start()) {
            String bootstrap = (host == null ? "localhost" : host) + ":" + broker.port();
            out.println(nodeId == null ? "Kafka broker (KRaft, single node) listening at " + bootstrap
                    : "Kafka node " + nodeId + " of cluster " + clusterId + " (KRaft, broker and controller; quorum "
                            + controllers + ") listening at " + bootstrap);
            out.println("Data: " + broker.dataDir());
            printUsage(out, bootstrap);
            awaitQuietly(stop, Long.MAX_VALUE);
            out.println("Stopping the Kafka broker at " + bootstrap);
            out.flush();
        }
        return 0;
    }

    private int runCluster(CountDownLatch stop) {
        PrintWriter out = spec.commandLine().getOut();
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder()
                .nodes(nodes)
                .dataDir(dir)
                .firstPort(port)
                .firstControllerPort(controllerPort)
                .defaultPartitions(partitions)
                .start()) {
            String bootstrap = cluster.bootstrapServers();
            out.println("Kafka cluster (KRaft, " + nodes + " node processes, each a broker and a controller) listening at "
                    + bootstrap);
            out.println("Replication: " + cluster.replicationFactor() + " replicas of every partition, internal topics"
                    + " included; a write is acknowledged once " + cluster.minInSyncReplicas() + " hold it"
                    + " (min.insync.replicas)");
            out.println("Data: " + cluster.dataDir() + " (node-N/, logs in node-N/node.log)");
            printUsage(out, bootstrap);
            awaitQuietly(stop, Long.MAX_VALUE);
            out.println("Stopping the Kafka cluster at " + bootstrap);
            out.flush();
        }
        return 0;
    }

    private static void printUsage(PrintWriter out, String bootstrap) {
        out.println("Try:  echo 'hello' | kcat -b " + bootstrap + " -t demo -P && kcat -b " + bootstrap
                + " -t demo -C -e");
        out.println("Stop: Ctrl-C");
        out.flush();
    }

    private List<QuorumVoter> voters() {
        return Arrays.stream(controllers.split(",")).map(QuorumVoter::parse).toList();
    }

    private static void awaitQuietly(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

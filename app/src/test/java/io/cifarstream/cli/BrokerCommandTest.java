package io.cifarstream.cli;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cifar-stream broker}: prints how to reach the broker, serves until stopped, keeps its data. */
class BrokerCommandTest {

    private static final Pattern ADDRESS = Pattern.compile("listening at (localhost:\\d+)");

    @Test
    void printsTheAddressAndAKcatExampleServesClientsAndKeepsItsDataAfterStopping(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        BrokerCommand command = new BrokerCommand();
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(command).setOut(new PrintWriter(out, true));
        commandLine.parseArgs("--port", "0", "--dir", dataDir.toString(), "--partitions", "2");
        CountDownLatch stop = new CountDownLatch(1);

        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> command.runUntil(stop));
        String bootstrap = awaitAddress(out, exitCode);
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).admin())) {
            new TopicSetup(KafkaSettings.of(bootstrap)).ensure(List.of(TopicSpec.of("kept", 1)));
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
        stop.countDown();

        assertThat(exitCode.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString())
                .contains("Data: " + dataDir.toAbsolutePath())
                .contains("kcat -b " + bootstrap + " -t demo -P")
                .contains("Stopping the Kafka broker at " + bootstrap);
        assertThat(dataDir.resolve("meta.properties")).exists();
        assertThat(dataDir.resolve("kept-0")).isDirectory();
    }

    @Test
    void aTakenPortExitsWithCodeOneAndAOneLineMessageNamingPortAndOption(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            StringWriter err = new StringWriter();
            CommandLine commandLine = Main.commandLine().setErr(new PrintWriter(err, true));

            int exitCode = commandLine.execute("broker", "--port", String.valueOf(taken.getLocalPort()),
                    "--dir", dir.toString());

            assertThat(exitCode).isEqualTo(1);
            assertThat(err.toString().lines()).singleElement().asString()
                    .startsWith("error: the client port " + taken.getLocalPort() + " is already in use")
                    .endsWith("(see --port)");
        }
    }

    @Test
    void helpDescribesTheCommandAndItsDefaults() {
        StringWriter out = new StringWriter();
        new CommandLine(new BrokerCommand()).setOut(new PrintWriter(out, true)).execute("--help");

        assertThat(out.toString())
                .contains("Run Kafka (KRaft) for this project and any Kafka client")
                .contains("--nodes=N").contains("Default: 1")
                .contains("--port=PORT").contains("Default: 9092")
                .contains("--dir=PATH").contains("Default: runs/kafka")
                .contains("--node-id=ID").contains("--controllers=ID@HOST:PORT").contains("--cluster-id=ID");
    }

    @Test
    void nodesStartsAClusterOfThatManyNodeProcessesPrintsEveryAddressAndStopsThemAll(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("cluster");
        BrokerCommand command = new BrokerCommand();
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(command).setOut(new PrintWriter(out, true));
        commandLine.parseArgs("--nodes", "3", "--port", "0", "--dir", dataDir.toString());
        CountDownLatch stop = new CountDownLatch(1);

        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> command.runUntil(stop));
        String bootstrap = await(Pattern.compile("listening at (localhost:\\d+,localhost:\\d+,localhost:\\d+)"), out,
                exitCode, 180);
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).admin())) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
        }
        assertThat(out.toString()).contains("Replication: 3 replicas of every partition, internal topics included; a write"
                + " is acknowledged once 2 hold it (min.insync.replicas)");
        stop.countDown();

        assertThat(exitCode.get(90, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("Stopping the Kafka cluster at " + bootstrap);
        for (String address : bootstrap.split(",")) {
            int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
            try (ServerSocket free = new ServerSocket()) {
                free.bind(new InetSocketAddress(InetAddress.getByName("localhost"), port));
            }
        }
        assertThat(dataDir.resolve("cluster.properties")).exists();
        assertThat(dataDir.resolve("node-3").resolve("kafka").resolve("meta.properties")).exists();
    }

    @Test
    void nodeIdRunsOneNodeOfAClusterNamedByItsControllersAndClusterId(@TempDir Path dir) throws Exception {
        int controller;
        try (ServerSocket probe = new ServerSocket(0)) {
            controller = probe.getLocalPort();
        }
        String clusterId = "MkU3OEVBNTcwNTJENDM2Qg";
        BrokerCommand command = new BrokerCommand();
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(command).setOut(new PrintWriter(out, true));
        commandLine.parseArgs("--node-id", "1", "--controllers", "1@localhost:" + controller, "--cluster-id", clusterId,
                "--port", "0", "--dir", dir.resolve("node-1").toString());
        CountDownLatch stop = new CountDownLatch(1);

        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> command.runUntil(stop));
        String bootstrap = awaitAddress(out, exitCode);
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).admin())) {
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
        }
        stop.countDown();
        assertThat(exitCode.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("Kafka node 1 of cluster " + clusterId + " (KRaft, broker and controller;"
                + " quorum 1@localhost:" + controller + ") listening at " + bootstrap);
    }

    @Test
    void theFlagsOfOneNodeOfASpreadClusterComeTogetherOrAreRefusedInOneLine() {
        assertThat(refusal("broker", "--node-id", "1", "--cluster-id", "MkU3OEVBNTcwNTJENDM2Qg"))
                .isEqualTo("error: --node-id needs --controllers: every controller's ID@HOST:PORT, the same on every node;"
                        + " see `cifar-stream broker --help`");
        assertThat(refusal("broker", "--node-id", "1", "--controllers", "1@a:9093,2@b:9093,3@c:9093"))
                .startsWith("error: --node-id needs --cluster-id, the same on every node; a new cluster can take this"
                        + " fresh one: --cluster-id ");
        assertThat(refusal("broker", "--node-id", "4", "--controllers", "1@a:9093,2@b:9093,3@c:9093", "--cluster-id",
                "MkU3OEVBNTcwNTJENDM2Qg")).startsWith("error: --node-id 4 is not in --controllers");
        assertThat(refusal("broker", "--controllers", "1@a:9093")).startsWith("error: --controllers describes one node"
                + " of a cluster spread over machines: give --node-id too");
        assertThat(refusal("broker", "--nodes", "3", "--node-id", "1")).startsWith("error: --nodes starts a whole"
                + " cluster on this machine, --node-id one node of a cluster spread over machines: give one of them");
    }

    private static String refusal(String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
        assertThat(exit).as("exit code of %s", List.of(args)).isEqualTo(2);
        return err.toString().lines().findFirst().orElse("");
    }

    private static String awaitAddress(StringWriter out, CompletableFuture<Integer> exitCode) throws Exception {
        return await(ADDRESS, out, exitCode, 60);
    }

    private static String await(Pattern address, StringWriter out, CompletableFuture<Integer> exitCode, long seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Matcher matcher = address.matcher(out.toString());
            if (matcher.find()) {
                return matcher.group(1);
            }
            if (exitCode.isDone()) {
                throw new AssertionError("broker command ended early with " + exitCode.get() + ": " + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("broker command printed no address within " + seconds + " s: " + out);
    }
}

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
                .contains("Run a single-node Kafka broker (KRaft) for this project and any Kafka client")
                .contains("--port=PORT").contains("Default: 9092")
                .contains("--dir=PATH").contains("Default: runs/kafka");
    }

    private static String awaitAddress(StringWriter out, CompletableFuture<Integer> exitCode) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher matcher = ADDRESS.matcher(out.toString());
            if (matcher.find()) {
                return matcher.group(1);
            }
            if (exitCode.isDone()) {
                throw new AssertionError("broker command ended early with " + exitCode.get() + ": " + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("broker command printed no address within 60 s: " + out);
    }
}

package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.reliability.CliProcess.Finished;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.TensorValues;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.OperatorSetIdProto;

/**
 * Bad command lines and configuration, each given to a real {@code cifar-stream} child process: every one ends within
 * a bounded time with a non-zero exit and exactly one {@code error:} line naming the cause and the fix, and no stack
 * trace; the only other lines allowed are the command's own INFO progress lines. With {@code --verbose} the trace
 * is printed as well.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class CliBadConfigTest {

    /** Far above what any case needs (an unreachable broker is given up after about 15 s): a hang, not slowness. */
    private static final Duration LIMIT = Duration.ofMinutes(2);

    private record Case(String name, int exit, List<String> args, List<String> mustSay) {
    }

    @Test
    void everyBadCommandLineFailsWithOneLineNamingCauseAndFix(KafkaBroker broker, ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        String kafka = broker.settings().bootstrapServers();
        Path model = SeededCifarModel.write(dir.resolve("seeded.onnx"), 11);
        Path wrongShape = Files.write(dir.resolve("mnist-shaped.onnx"), mnistShapedModel());
        Path corrupt = Files.write(dir.resolve("corrupt.tar.gz"), "these bytes are not a gzip file".getBytes());
        Path truncated = dir.resolve("truncated.tar.gz");
        Path cifar = io.cifarstream.testkit.CifarTestData.cifar10().location();
        try (var in = Files.newInputStream(cifar)) {
            Files.write(truncated, in.readNBytes(200_000)); // the real archive, cut short
        }
        Path emptyDir = Files.createDirectories(dir.resolve("no-cifar-here"));
        int unreachable = freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String takenPort = Integer.toString(taken.getLocalPort());
            List<Case> cases = List.of(
                    new Case("missing model file", 2, List.of("score", "--model", dir.resolve("missing.onnx").toString(),
                            "--bootstrap-server", kafka), List.of("--model must be an existing file", "missing.onnx")),
                    new Case("model with the wrong input shape", 1, List.of("score", "--model", wrongShape.toString(),
                            "--bootstrap-server", kafka), List.of("mnist-shaped.onnx", "shape")),
                    new Case("unreachable bootstrap (replay)", 1, List.of("replay", "--limit", "5",
                            "--bootstrap-server", "localhost:" + unreachable),
                            List.of("no Kafka broker at localhost:" + unreachable, "--bootstrap-server")),
                    new Case("unreachable bootstrap (score)", 1, List.of("score", "--model", model.toString(),
                            "--bootstrap-server", "localhost:" + unreachable),
                            List.of("no Kafka broker at localhost:" + unreachable, "--bootstrap-server")),
                    new Case("unreachable bootstrap (metrics)", 1, List.of("metrics", "--http-port", "0",
                            "--state-dir", dir.resolve("state-unreachable").toString(),
                            "--bootstrap-server", "localhost:" + unreachable),
                            List.of("no Kafka broker at localhost:" + unreachable, "--bootstrap-server")),
                    new Case("HTTP port in use (score)", 1, List.of("score", "--model", model.toString(),
                            "--bootstrap-server", kafka, "--images-topic", "cli-images", "--predictions-topic",
                            "cli-predictions", "--dead-letters-topic", "cli-dead-letters", "--http-port", takenPort),
                            List.of(takenPort, "--http-port")),
                    new Case("HTTP port in use (metrics)", 1, List.of("metrics", "--bootstrap-server", kafka,
                            "--predictions-topic", "cli-m-predictions", "--labels-topic", "cli-m-labels",
                            "--metrics-topic", "cli-m-metrics", "--dead-letters-topic", "cli-m-dead-letters",
                            "--state-dir", dir.resolve("state-port").toString(), "--http-port", takenPort),
                            List.of(takenPort, "--http-port")),
                    new Case("data file that is not a gzip", 1, List.of("replay", "--data", corrupt.toString(),
                            "--bootstrap-server", kafka), List.of("corrupt.tar.gz", "not a gzip", "--data")),
                    new Case("data file cut short", 1, List.of("evaluate", "--model", model.toString(),
                            "--data", truncated.toString()), List.of("truncated.tar.gz", "truncated or corrupt", "--data")),
                    new Case("data folder without CIFAR-10", 1, List.of("evaluate", "--model", model.toString(),
                            "--data", emptyDir.toString()), List.of("no-cifar-here", "--data")),
                    new Case("missing --kafka-config file", 2, List.of("replay", "--limit", "5", "--kafka-config",
                            dir.resolve("missing.properties").toString()),
                            List.of("--kafka-config must be an existing file", "missing.properties")),
                    new Case("training epochs below one", 2, List.of("train", "--epochs", "-1"),
                            List.of("--epochs must be at least 1 (got -1)")),
                    new Case("impossible HTTP port", 2, List.of("metrics", "--http-port", "99999"),
                            List.of("--http-port must be 0 to 65535 (got 99999)")),
                    new Case("unknown flag", 2, List.of("replay", "--limt", "5"),
                            List.of("--limt", "--limit", "cifar-stream replay --help")),
                    new Case("unknown command", 2, List.of("scroe"), List.of("scroe", "score", "--help")));

            List<Finished> results = runAll(dir, cases);
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Finished run = results.get(i);
                List<String> errorLines = run.stderr().lines().filter(line -> line.startsWith("error: ")).toList();
                List<String> otherLines = run.stderr().lines()
                        .filter(line -> !line.startsWith("error: ") && !line.matches("\\d\\d:\\d\\d:\\d\\d INFO .*"))
                        .toList();
                boolean clear = !run.timedOut() && run.exit() == c.exit() && errorLines.size() == 1
                        && otherLines.isEmpty() && c.mustSay().stream().allMatch(errorLines.get(0)::contains);
                table.record(new ReliabilityTable.Row("cli", c.name(), 1, 1, 0, 0, 0, run.timedOut() ? 1 : 0,
                        (run.timedOut() ? "hung" : "exit " + run.exit()) + (clear ? ", one clear line" : ", unclear")));
                assertThat(run.timedOut()).as("%s: still running after %s", c.name(), LIMIT).isFalse();
                assertThat(run.exit()).as("%s: exit code; stderr:%n%s", c.name(), run.stderr()).isEqualTo(c.exit());
                assertThat(errorLines).as("%s: error lines", c.name()).hasSize(1);
                assertThat(errorLines.get(0)).as(c.name()).contains(c.mustSay());
                assertThat(otherLines).as("%s: other stderr lines", c.name()).isEmpty();
                assertThat(run.output()).as(c.name()).doesNotContain("\tat ", "Exception in thread", "Caused by");
            }
        }
    }

    @Test
    void withVerboseTheStackTraceIsPrintedToo(@TempDir Path dir) throws IOException {
        Path notAModel = Files.writeString(dir.resolve("notes.onnx"), "not a model");
        Finished run = CliProcess.run(dir, "verbose", LIMIT, List.of("evaluate", "--verbose", "--model",
                notAModel.toString(), "--data", dir.toString()));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).startsWith("error: ").contains("\tat ");
    }

    private static List<Finished> runAll(Path dir, List<Case> cases) throws Exception {
        // Three at a time: each waits mostly on a network timeout or a JVM start, and the machine has two cores.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Finished>> futures = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                String name = "case-" + i;
                futures.add(pool.submit(() -> CliProcess.run(dir, name, LIMIT, c.args())));
            }
            List<Finished> results = new ArrayList<>();
            for (Future<Finished> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A valid ONNX model of another task: input float [N,1,28,28] (an MNIST digit), flattened to [N,784]. */
    static byte[] mnistShapedModel() {
        GraphProto graph = GraphProto.newBuilder().setName("mnist_shaped")
                .addNode(Nodes.node("Flatten", "flatten", List.of("digits"), List.of("flat"), Nodes.attribute("axis", 1)))
                .addInput(TensorValues.batchOfFloats("digits", "N", 1, 28, 28))
                .addOutput(TensorValues.batchOfFloats("flat", "N", 784)).build();
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("cifar-stream reliability suite").setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build().toByteArray();
    }
}

package io.cifarstream.cli;

import io.cifarstream.broker.EmbeddedKafkaBroker;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cifar-stream broker}: runs the embedded single-node Kafka broker in the foreground until Ctrl-C,
 * keeping its data in {@code --dir} so a later run continues with the same topics and records.
 * Exit code 0 after a clean shutdown, 1 when the broker cannot start (the cause is printed in one line).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) for this project and any Kafka client")
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Range(min = 0, max = 65535)
    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Client (PLAINTEXT) port on localhost; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    private int port;

    @Range(min = 0, max = 65535)
    @Option(names = "--controller-port", defaultValue = "0", paramLabel = "PORT",
            description = "KRaft controller port on localhost (not for clients); 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    private int controllerPort;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--dir", defaultValue = "runs/kafka", paramLabel = "PATH",
            description = "Data directory, kept between runs. Default: ${DEFAULT-VALUE}.")
    private Path dir;

    @Range(min = 1, max = 10_000)
    @Option(names = "--partitions", defaultValue = "1", paramLabel = "N",
            description = "Partitions of topics created without an explicit count. Default: ${DEFAULT-VALUE}.")
    private int partitions;

    @Override
    public Integer call() {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // The hook must wait for the clean shutdown, or the JVM would exit half-way through it.
        Thread hook = new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped, 30);
        }, "broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runUntil(stop);
        } finally {
            stopped.countDown();
        }
    }

    /** Starts the broker, prints how to reach it, and closes it once {@code stop} opens. */
    int runUntil(CountDownLatch stop) {
        PrintWriter out = spec.commandLine().getOut();
        // A port or data directory in use fails here with a one-line UserFixable error (see Main).
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .port(port)
                .controllerPort(controllerPort)
                .dataDir(dir)
                .defaultPartitions(partitions)
                .start()) {
            String bootstrap = broker.bootstrapServers();
            out.println("Kafka broker (KRaft, single node) listening at " + bootstrap);
            out.println("Data: " + broker.dataDir());
            out.println("Try:  echo 'hello' | kcat -b " + bootstrap + " -t demo -P && kcat -b " + bootstrap
                    + " -t demo -C -e");
            out.println("Stop: Ctrl-C");
            out.flush();
            awaitQuietly(stop, Long.MAX_VALUE);
            out.println("Stopping the Kafka broker at " + bootstrap);
            out.flush();
        }
        return 0;
    }

    private static void awaitQuietly(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

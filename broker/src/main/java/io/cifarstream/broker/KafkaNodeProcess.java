package io.cifarstream.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point of one node process of a {@link LocalKafkaCluster}: {@code java ... KafkaNodeProcess NODE_FILE}. The
 * node file is written by the cluster, never by a person (the command line is the {@code app} module's). The node runs
 * until SIGTERM, or until its standard input ends: the cluster holds that pipe open, so a node never outlives the
 * process that started it, even one killed with SIGKILL.
 */
public final class KafkaNodeProcess {

    static final String CLUSTER_ID = "cluster.id";
    static final String NODE_ID = "node.id";
    static final String VOTERS = "controller.quorum.voters";
    static final String PORT = "port";
    static final String DATA_DIR = "data.dir";
    static final String DEFAULT_PARTITIONS = "default.partitions";
    /** How the last line of a node that could not start begins. */
    static final String FAILED = "Kafka node could not start: ";

    private KafkaNodeProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: KafkaNodeProcess NODE_FILE (written by LocalKafkaCluster)");
            System.exit(2);
        }
        Properties node = read(Path.of(args[0]));
        List<QuorumVoter> voters = Arrays.stream(node.getProperty(VOTERS).split(",")).map(QuorumVoter::parse).toList();
        ClusterMembership membership = new ClusterMembership(node.getProperty(CLUSTER_ID),
                Integer.parseInt(node.getProperty(NODE_ID)), voters);
        EmbeddedKafkaBroker broker;
        try {
            broker = EmbeddedKafkaBroker.builder()
                    .membership(membership)
                    .port(Integer.parseInt(node.getProperty(PORT)))
                    .dataDir(Path.of(node.getProperty(DATA_DIR)))
                    .defaultPartitions(Integer.parseInt(node.getProperty(DEFAULT_PARTITIONS)))
                    .startTimeout(Duration.ofMinutes(5))
                    .start();
        } catch (RuntimeException e) {
            // The cluster reports a node's last line: the cause, after the trace that explains it.
            e.printStackTrace();
            System.err.println(FAILED + (e.getMessage() != null ? e.getMessage() : e.toString()));
            System.exit(1);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped);
        }, "kafka-node-shutdown"));
        Thread parentWatch = new Thread(() -> {
            drain(System.in);
            stop.countDown();
        }, "kafka-node-parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();
        stop.await();
        broker.close();
        stopped.countDown();
        System.exit(0);
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // nothing is ever sent: the pipe only tells that the parent lives
            }
        } catch (IOException e) {
            // a broken pipe is the parent's end too
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Properties read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the node file " + file, e);
        }
        return properties;
    }
}

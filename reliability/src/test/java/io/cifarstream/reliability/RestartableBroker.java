package io.cifarstream.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.kafka.KafkaSettings;

/**
 * A real KRaft broker of one test's own that can be stopped and started again on the same ports and the same data
 * directory, so its clients see one broker go away and come back with every topic, offset and transaction it had.
 * The suite's shared broker must never be stopped; this one exists for that.
 */
final class RestartableBroker implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private EmbeddedKafkaBroker running;

    RestartableBroker(Path dataDir) {
        this.dataDir = dataDir;
        this.port = freePort();
        this.controllerPort = freePort();
    }

    /** Starts the broker and returns once it answers; the first start formats the data directory. */
    void start() {
        if (running != null) {
            throw new IllegalStateException("the broker at " + bootstrapServers() + " is running already");
        }
        running = EmbeddedKafkaBroker.builder().port(port).controllerPort(controllerPort).dataDir(dataDir).start();
    }

    /** A clean shutdown of the broker; its data directory stays. */
    void stop() {
        running.close();
        running = null;
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    KafkaSettings settings() {
        return KafkaSettings.of(bootstrapServers());
    }

    @Override
    public void close() {
        if (running != null) {
            stop();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free port on localhost", e);
        }
    }
}

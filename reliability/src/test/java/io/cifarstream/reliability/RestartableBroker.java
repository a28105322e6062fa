package io.cifarstream.reliability;

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
    /** Both 0 until the first start picks them (below the kernel's ephemeral range); every restart reuses them. */
    private int port;
    private int controllerPort;
    private EmbeddedKafkaBroker running;

    RestartableBroker(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts the broker and returns once it answers; the first start formats the data directory. */
    void start() {
        if (running != null) {
            throw new IllegalStateException("the broker at " + bootstrapServers() + " is running already");
        }
        running = EmbeddedKafkaBroker.builder().port(port).controllerPort(controllerPort).dataDir(dataDir).start();
        port = running.port();
        controllerPort = running.controllerPort();
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
}

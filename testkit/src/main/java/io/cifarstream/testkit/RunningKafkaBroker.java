package io.cifarstream.testkit;

/**
 * The broker of a test run as the extension keeps it: its address, what it is, and how to stop it.
 * Closing it stops the broker; JUnit does so when the run's root context closes.
 */
final class RunningKafkaBroker implements KafkaBroker, AutoCloseable {

    private final String bootstrapServers;
    private final String description;
    private final Runnable stopper;

    RunningKafkaBroker(String bootstrapServers, String description, Runnable stopper) {
        this.bootstrapServers = bootstrapServers;
        this.description = description;
        this.stopper = stopper;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        stopper.run();
    }

    @Override
    public String toString() {
        return description + " at " + bootstrapServers;
    }
}

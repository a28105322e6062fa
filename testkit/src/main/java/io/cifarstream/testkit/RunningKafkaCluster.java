package io.cifarstream.testkit;

import io.cifarstream.broker.LocalKafkaCluster;

import java.time.Duration;
import java.util.List;

/** The run's cluster as the extension keeps it; closing it stops every node, as JUnit does when the run ends. */
final class RunningKafkaCluster implements KafkaCluster, AutoCloseable {

    private final LocalKafkaCluster cluster;

    RunningKafkaCluster(LocalKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public List<Integer> nodeIds() {
        return cluster.nodeIds();
    }

    @Override
    public String bootstrapServers(int nodeId) {
        return cluster.bootstrapServers(nodeId);
    }

    @Override
    public void kill(int nodeId) {
        cluster.kill(nodeId);
    }

    @Override
    public void stop(int nodeId) {
        cluster.stop(nodeId);
    }

    @Override
    public void start(int nodeId) {
        cluster.start(nodeId);
    }

    @Override
    public boolean isRunning(int nodeId) {
        return cluster.isRunning(nodeId);
    }

    @Override
    public ProcessHandle process(int nodeId) {
        return cluster.process(nodeId);
    }

    @Override
    public void awaitFullyReplicated(Duration timeout) {
        cluster.awaitFullyReplicated(timeout);
    }

    @Override
    public void close() {
        cluster.close();
    }

    @Override
    public String toString() {
        return cluster.toString();
    }
}

package io.cifarstream.testkit;

import java.time.Duration;
import java.util.List;

/**
 * The run's three-node Kafka cluster (three node processes on this machine, replication 3, minimum ISR 2), shared by
 * every test that asks for one. A test that kills or stops a node starts it again and waits until every partition is
 * fully replicated before it ends, so the next test finds the whole cluster. Inject one with
 * {@link KafkaBrokerExtension}.
 */
public interface KafkaCluster extends KafkaBroker {

    /** The node ids, 1 to 3. */
    List<Integer> nodeIds();

    /** One node's client address. */
    String bootstrapServers(int nodeId);

    /** SIGKILL of one node's process. */
    void kill(int nodeId);

    /** A clean shutdown of one node (leaderships move first). */
    void stop(int nodeId);

    /** Starts a node again on its ports and data; returns once it is a broker of the cluster again. */
    void start(int nodeId);

    boolean isRunning(int nodeId);

    /** A running node's process, e.g. to read its CPU time. */
    ProcessHandle process(int nodeId);

    /** Waits until every partition, internal topics included, has all its replicas in sync. */
    void awaitFullyReplicated(Duration timeout);
}

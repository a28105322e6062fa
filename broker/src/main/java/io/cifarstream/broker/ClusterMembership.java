package io.cifarstream.broker;

import org.apache.kafka.common.Uuid;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What makes a node one of a multi-node KRaft cluster: the cluster id every node is formatted with, this node's id, and
 * the static controller quorum ({@code controller.quorum.voters}), the same on every node. Every node of the
 * project's clusters is a combined broker and controller, so this node is one of the voters.
 *
 * <p>The static quorum is Kafka's fixed-membership form: each node gets the same one-line voter list and nothing
 * else to share (the dynamic form, {@code controller.quorum.bootstrap.servers} with storage formatted by
 * {@code --initial-controllers}, also needs every voter's log directory id on every node). Its cost: controllers are
 * added or removed only after {@code kraft.version} is upgraded to 1.
 */
public record ClusterMembership(String clusterId, int nodeId, List<QuorumVoter> voters) {

    /** Replicas of Kafka's internal topics and the default for new topics: three where there are three nodes. */
    static final int MAX_REPLICATION = 3;

    public ClusterMembership {
        Objects.requireNonNull(clusterId, "clusterId");
        voters = List.copyOf(voters);
        try {
            Uuid.fromString(clusterId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster id '" + clusterId + "' is not a Kafka cluster id (22 characters"
                    + " of base64url, e.g. " + newClusterId() + ")", e);
        }
        if (voters.stream().map(QuorumVoter::nodeId).distinct().count() != voters.size()) {
            throw new IllegalArgumentException("controller quorum " + voters + " names a node id twice");
        }
        if (voters.stream().noneMatch(voter -> voter.nodeId() == nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is not one of the controller quorum's voters "
                    + voters + ": every node is a broker and a controller, so the quorum lists each one");
        }
    }

    /** A fresh random cluster id, the form Kafka's {@code kafka-storage random-uuid} prints. */
    public static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /** This node's entry in the quorum: where its controller listener is reached. */
    public QuorumVoter self() {
        return voters.stream().filter(voter -> voter.nodeId() == nodeId).findFirst().orElseThrow();
    }

    /** The value of {@code controller.quorum.voters}. */
    public String votersConfig() {
        return voters.stream().map(QuorumVoter::toString).collect(Collectors.joining(","));
    }

    /** Replicas of each internal topic partition and of new topics: {@code min(3, nodes)}. */
    public int replicationFactor() {
        return Math.min(MAX_REPLICATION, voters.size());
    }

    /**
     * Replicas that must hold a write before it is acknowledged ({@code min.insync.replicas}): 2 of 3, so one node may
     * be down and an acknowledged write still survives the loss of another; 1 where there are fewer than 3 replicas.
     */
    public int minInSyncReplicas() {
        return replicationFactor() >= MAX_REPLICATION ? 2 : 1;
    }
}

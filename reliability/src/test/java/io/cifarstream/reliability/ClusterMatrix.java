package io.cifarstream.reliability;

/**
 * The tag of the cluster experiments that run only in the {@code cluster-matrix} Maven profile. The default run keeps
 * the faults that test a distinct promise each (a partition leader, the transaction coordinator, two nodes down, a
 * metrics instance with a standby, scorers joining and leaving); the others repeat the kill-a-node pattern or measure
 * rather than check, and would take CI past its time limit.
 */
final class ClusterMatrix {

    static final String TAG = "cluster-matrix";
    /** The system property holding the tags the run excludes (set by the build): {@value #TAG} unless the profile runs. */
    static final String EXCLUDED_PROPERTY = "reliability.excluded-groups";

    private ClusterMatrix() {
    }
}

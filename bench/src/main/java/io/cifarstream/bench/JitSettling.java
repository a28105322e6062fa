package io.cifarstream.bench;

import java.util.Map;

/**
 * When the benchmark's warm-up is over: the JIT compiler threads used under {@value #SETTLED_PERCENT}% of the
 * process's CPU in two readings in a row. Two, because C2 works in waves: one quiet reading was followed by a busy
 * one (measured). The broker, the Kafka clients and the scorer share the benchmark's JVM, and C2 keeps compiling the
 * broker's rarer paths (per request, per transaction) for minutes, which would otherwise be measured as the scorer's.
 */
public final class JitSettling {

    public static final int SETTLED_PERCENT = 5;

    private int quietInARow;
    private double lastShare;

    /** Takes one reading, CPU seconds by thread group as {@link ThreadCpu} gives them; true once settled. */
    boolean settledAfter(Map<String, Double> cpuSecondsByGroup) {
        double total = cpuSecondsByGroup.values().stream().mapToDouble(Double::doubleValue).sum();
        lastShare = total > 0 ? cpuSecondsByGroup.getOrDefault("jit", 0.0) / total : 0;
        quietInARow = lastShare * 100 < SETTLED_PERCENT ? quietInARow + 1 : 0;
        return quietInARow >= 2;
    }

    /** The JIT's share of the CPU in the last reading. */
    double lastShare() {
        return lastShare;
    }
}

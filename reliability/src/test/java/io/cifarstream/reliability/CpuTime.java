package io.cifarstream.reliability;

import java.time.Duration;

/** CPU time (user and system) a process has used so far, as the operating system counts it. */
final class CpuTime {

    private CpuTime() {
    }

    /** Seconds of CPU {@code process} has used; 0 when the system does not say. */
    static double seconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
    }

    /** The 1-minute load average now, from {@code /proc/loadavg}; NaN where there is none. */
    static double loadAverage() {
        try {
            String line = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
            return Double.parseDouble(line.split(" ")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}

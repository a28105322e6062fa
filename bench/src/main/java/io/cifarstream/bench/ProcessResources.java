package io.cifarstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resource use as Linux reports it in {@code /proc/self}: CPU seconds split into user and kernel time,
 * minor page faults, and resident memory with its peak. Kernel time and minor faults are where a malloc that hands
 * large blocks back to the kernel after every training step shows; the peak is what a machine must hold.
 *
 * @param userSeconds       CPU seconds in user space
 * @param systemSeconds     CPU seconds in the kernel
 * @param minorFaults       page faults served without I/O
 * @param residentBytes     resident set size (VmRSS) at the snapshot
 * @param peakResidentBytes highest resident set size since the process started (VmHWM)
 */
record ProcessResources(double userSeconds, double systemSeconds, long minorFaults, long residentBytes,
                        long peakResidentBytes) {
    /** The clock tick of {@code /proc/<pid>/stat} times: USER_HZ, fixed at 100 by the Linux ABI. */
    static final double TICKS_PER_SECOND = 100;

    private static final Path STAT = Path.of("/proc/self/stat");
    private static final Path STATUS = Path.of("/proc/self/status");

    /** The process's figures now. */
    static ProcessResources now() {
        return parse(read(STAT), read(STATUS));
    }

    /** CPU time and faults between {@code start} and this snapshot; memory figures as of this snapshot. */
    ProcessResources since(ProcessResources start) {
        return new ProcessResources(userSeconds - start.userSeconds, systemSeconds - start.systemSeconds,
                minorFaults - start.minorFaults, residentBytes, peakResidentBytes);
    }

    /** Figures from the text of {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. */
    static ProcessResources parse(String stat, String status) {
        // The command name (field 2) is parenthesized and may itself hold spaces or parentheses: count the fields
        // from the last ')'. After it comes field 3 (state); minflt is field 10, utime 14, stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        long minorFaults = Long.parseLong(fields[10 - 3]);
        double user = Long.parseLong(fields[14 - 3]) / TICKS_PER_SECOND;
        double system = Long.parseLong(fields[15 - 3]) / TICKS_PER_SECOND;
        return new ProcessResources(user, system, minorFaults, kibibytes(status, "VmRSS:") << 10,
                kibibytes(status, "VmHWM:") << 10);
    }

    private static long kibibytes(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                String value = line.substring(key.length()).trim();
                return Long.parseLong(value.substring(0, value.indexOf(' ')));
            }
        }
        throw new IllegalArgumentException("no " + key + " line in the status text");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (the training benchmark needs Linux's /proc)", e);
        }
    }
}

package io.cifarstream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The malloc that serves this process's native code (libtorch's tensors and workspaces), as {@code /proc/self/maps}
 * shows it. It moves training speed: glibc's malloc, in some runs, returns libtorch's larger per-step buffers to the
 * kernel after a step and faults them in again on the next (then up to 15% fewer images/s on these machines, with
 * about a hundred page faults per image); a caching allocator such as tcmalloc keeps them in every run.
 */
public enum NativeAllocator {
    TCMALLOC("tcmalloc"),
    JEMALLOC("jemalloc"),
    GLIBC("glibc"),
    /** Not on Linux, or {@code /proc/self/maps} unreadable. */
    UNKNOWN("unknown");

    /** What to do when the allocator is glibc's: the launcher preloads tcmalloc when it is installed. */
    public static final String ADVICE = "training runs steadier and up to 15% faster with tcmalloc: install it "
            + "(Debian/Ubuntu: apt-get install libtcmalloc-minimal4) and start through bin/cifar-stream, which "
            + "preloads it, or set LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

    private static final Path MAPS = Path.of("/proc/self/maps");

    private final String label;

    NativeAllocator(String label) {
        this.label = label;
    }

    /** The allocator of this process. */
    public static NativeAllocator inUse() {
        try {
            return of(Files.readAllLines(MAPS));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The allocator named by a process's memory map: a mapped tcmalloc or jemalloc library, else glibc. */
    static NativeAllocator of(List<String> mapsLines) {
        for (String line : mapsLines) {
            if (line.contains("/libtcmalloc")) {
                return TCMALLOC;
            }
            if (line.contains("/libjemalloc")) {
                return JEMALLOC;
            }
        }
        return mapsLines.isEmpty() ? UNKNOWN : GLIBC;
    }

    /** The allocator's name as the benchmarks and the console print it: tcmalloc, jemalloc, glibc, unknown. */
    public String label() {
        return label;
    }
}

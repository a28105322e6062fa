package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class NativeAllocatorTest {
    private static final String LIBC =
            "7f2a1c000000-7f2a1c028000 r--p 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6";
    private static final String TCMALLOC =
            "7f2a1d000000-7f2a1d010000 r-xp 00000000 fe:01 5678 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.16";
    private static final String JEMALLOC =
            "7f2a1e000000-7f2a1e010000 r-xp 00000000 fe:01 9012 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

    @Test
    void aMappedCachingAllocatorIsTheOneInUse() {
        assertThat(NativeAllocator.of(List.of(LIBC, TCMALLOC))).isEqualTo(NativeAllocator.TCMALLOC);
        assertThat(NativeAllocator.of(List.of(JEMALLOC, LIBC))).isEqualTo(NativeAllocator.JEMALLOC);
    }

    @Test
    void withoutOneItIsGlibcs() {
        assertThat(NativeAllocator.of(List.of(LIBC))).isEqualTo(NativeAllocator.GLIBC);
        assertThat(NativeAllocator.of(List.of())).isEqualTo(NativeAllocator.UNKNOWN);
    }

    @Test
    void thisProcessUsesTcmallocExactlyWhenItWasPreloaded() {
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        NativeAllocator expected = !Files.isReadable(Path.of("/proc/self/maps")) ? NativeAllocator.UNKNOWN
                : preload.contains("libtcmalloc") ? NativeAllocator.TCMALLOC : NativeAllocator.GLIBC;
        assertThat(NativeAllocator.inUse()).isEqualTo(expected);
    }
}

package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class JitSettlingTest {

    @Test
    void settlesAfterTwoQuietReadingsInARow() {
        JitSettling jit = new JitSettling();
        assertThat(jit.settledAfter(Map.of("jit", 1.0, "scorer", 9.0))).isFalse(); // 10%
        assertThat(jit.settledAfter(Map.of("jit", 0.1, "scorer", 9.9))).isFalse(); // 1%, first quiet one
        assertThat(jit.lastShare()).isEqualTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(jit.settledAfter(Map.of("jit", 0.4, "scorer", 9.6))).isTrue(); // 4%, second in a row
    }

    @Test
    void aBusyReadingStartsTheCountAgain() {
        JitSettling jit = new JitSettling();
        jit.settledAfter(Map.of("jit", 0.0, "scorer", 10.0));
        assertThat(jit.settledAfter(Map.of("jit", 0.6, "scorer", 9.4))).isFalse(); // 6%
        assertThat(jit.settledAfter(Map.of("jit", 0.0, "scorer", 10.0))).isFalse();
        assertThat(jit.settledAfter(Map.of("jit", 0.0, "scorer", 10.0))).isTrue();
    }

    @Test
    void aReadingWithNoCpuCountsAsQuiet() {
        JitSettling jit = new JitSettling();
        jit.settledAfter(Map.of());
        assertThat(jit.settledAfter(Map.of())).isTrue();
        assertThat(jit.lastShare()).isZero();
    }
}

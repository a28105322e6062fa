package io.cifarstream.metricsstream;

import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The join's expiry index: due entries come out once; gone, renewed and not-yet-due ones are handled by their entry. */
class ExpiryIndexTest {

    private final Map<Bytes, Long> entries = new HashMap<>();
    private final ExpiryIndex index = new ExpiryIndex();

    private void remember(String key, long expiry) {
        Bytes k = Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
        entries.put(k, expiry);
        index.add(expiry, k);
    }

    private long current(Bytes key) {
        return entries.getOrDefault(key, Long.MIN_VALUE);
    }

    private static Bytes key(String key) {
        return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void entriesComeOutWhenDueAndNotBefore() {
        remember("a", 1_200);
        remember("b", 1_900);
        remember("c", 5_000);
        assertThat(index.takeDue(1_199, this::current)).isEmpty();
        assertThat(index.takeDue(1_200, this::current)).containsExactly(key("a"));
        assertThat(index.takeDue(1_899, this::current)).as("b is in the same second but not due yet").isEmpty();
        assertThat(index.takeDue(4_999, this::current)).containsExactly(key("b"));
        assertThat(index.takeDue(10_000, this::current)).containsExactly(key("c"));
        assertThat(index.size()).isZero();
    }

    @Test
    void aDeletedEntryIsDroppedAndARenewedOneComesOutAtItsNewExpiry() {
        remember("gone", 2_000);
        remember("renewed", 2_500);
        entries.remove(key("gone"));
        remember("renewed", 7_500); // a label that came again: its wait starts over
        assertThat(index.takeDue(3_000, this::current)).isEmpty();
        assertThat(index.size()).as("only the renewed entry's new reference is left").isEqualTo(1);
        assertThat(index.takeDue(7_500, this::current)).containsExactly(key("renewed"));
    }
}

package io.cifarstream.metricsstream;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The label join's stored layout. The fixed byte strings are the format the join store and its changelog hold:
 * a change that fails them cannot read what a running application stored.
 */
class JoinEntryTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * A label for "img" (true class 7, not matched) read from labels/2 at offset 42 with value 01 02 03, arrived at
     * 1,000 ms, expiring at 61,000 ms.
     */
    private static final String PENDING_LABEL = "00000000000003e8" + "000000000000ee48" // arrival, expiry
            + "07" + "00" // true class, matched
            + "00000002" + "000000000000002a" // partition, offset
            + "00000006" + "6c6162656c73" // topic "labels"
            + "00000003" + "696d67" // key "img"
            + "00000003" + "010203"; // value

    private record Source(String topic, int partition, long offset) implements RecordMetadata {
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(Bytes key) {
        return HEX.formatHex(key.get());
    }

    private static byte[] pendingLabel(byte[] key) {
        return JoinEntry.encode(1_000, 61_000, JoinEntry.labelPayload(7, false, new Source("labels", 2, 42), key,
                new byte[] {1, 2, 3}));
    }

    @Test
    void aStoredPendingLabelDecodesToItsFields() {
        byte[] entry = HEX.parseHex(PENDING_LABEL);
        assertThat(JoinEntry.arrival(entry)).isEqualTo(1_000);
        assertThat(JoinEntry.expiry(entry)).isEqualTo(61_000);
        assertThat(JoinEntry.label(entry)).isEqualTo(7);
        assertThat(JoinEntry.matched(entry)).isFalse();
        JoinEntry.LabelSource source = JoinEntry.labelSource(entry);
        assertThat(source.topic()).isEqualTo("labels");
        assertThat(source.partition()).isEqualTo(2);
        assertThat(source.offset()).isEqualTo(42);
        assertThat(source.key()).isEqualTo(utf8("img"));
        assertThat(source.value()).containsExactly(1, 2, 3);
    }

    @Test
    void aPendingLabelIsEncodedToThoseBytes() {
        assertThat(HEX.formatHex(pendingLabel(utf8("img")))).isEqualTo(PENDING_LABEL);
    }

    @Test
    void markingALabelMatchedChangesOnlyItsMatchedByte() {
        byte[] entry = HEX.parseHex(PENDING_LABEL);
        JoinEntry.markMatched(entry);
        assertThat(JoinEntry.matched(entry)).isTrue();
        byte[] expected = HEX.parseHex(PENDING_LABEL);
        expected[JoinEntry.MATCHED] = 1;
        assertThat(entry).isEqualTo(expected);
    }

    @Test
    void aLabelWithoutAKeyIsStoredWithAnEmptyOne() {
        assertThat(JoinEntry.labelSource(pendingLabel(null)).key()).isEmpty();
    }

    @Test
    void aPendingPredictionHoldsTheValueItWasReadWithAndACountedMarkerNothing() {
        byte[] value = utf8("avro bytes of a prediction");
        byte[] pending = JoinEntry.encode(5, 60_005, value);
        assertThat(JoinEntry.payload(pending)).isEqualTo(value);
        assertThat(JoinEntry.arrival(pending)).isEqualTo(5);
        assertThat(JoinEntry.expiry(pending)).isEqualTo(60_005);

        assertThat(HEX.formatHex(JoinEntry.encode(5, 60_005, JoinEntry.EMPTY)))
                .isEqualTo("0000000000000005" + "000000000000ea65");
    }

    @Test
    void keysAreTheKindTheImageIdAZeroByteAndTheModelId() {
        Bytes counted = JoinEntry.key(JoinEntry.COUNTED, "img-1", "m");
        assertThat(hex(counted)).isEqualTo("43" + "696d672d31" + "00" + "6d");
        assertThat(JoinEntry.kind(counted)).isEqualTo(JoinEntry.COUNTED);
        assertThat(hex(JoinEntry.key(JoinEntry.PENDING_LABEL, "img-1", null)))
                .as("a pending label serves every model: no model id").isEqualTo("4c" + "696d672d31" + "00");
    }

    @Test
    void anImagesPrefixCoversEachOfItsModelsAndNoOtherImage() {
        String prefix = hex(JoinEntry.prefix(JoinEntry.PENDING_PREDICTION, "img-1"));
        assertThat(hex(JoinEntry.key(JoinEntry.PENDING_PREDICTION, "img-1", "m2"))).startsWith(prefix);
        assertThat(hex(JoinEntry.key(JoinEntry.PENDING_PREDICTION, "img-10", "m2"))).doesNotStartWith(prefix);
        assertThat(hex(JoinEntry.key(JoinEntry.COUNTED, "img-1", "m2"))).doesNotStartWith(prefix);
    }
}

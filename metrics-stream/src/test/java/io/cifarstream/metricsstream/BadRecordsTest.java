package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static io.cifarstream.metricsstream.TopologyHarness.confident;
import static io.cifarstream.metricsstream.TopologyHarness.prediction;
import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of bad record becomes a dead letter with its reason and bytes; the stream goes on counting. */
class BadRecordsTest {

    @TempDir
    Path stateDir;

    @Test
    void eachBadRecordIsDeadLetteredWithItsKindAndTheGoodOnesAreCounted() {
        try (TopologyHarness harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 100), stateDir)) {
            byte[] good = AvroSerde.predictions().serializer().serialize("p", prediction("m", "ok-1", confident(2, 0.9), 2, T0));
            byte[] garbage = "hello".getBytes(StandardCharsets.UTF_8);
            byte[] unknownSchema = good.clone();
            unknownSchema[2] ^= 0x5A;                                    // another fingerprint
            byte[] truncated = Arrays.copyOf(good, good.length - 7);
            float[] nine = Arrays.copyOf(confident(2, 0.9), 9);
            float[] nan = confident(2, 0.9);
            nan[4] = Float.NaN;
            float[] plusInfinity = confident(2, 0.9);
            plusInfinity[4] = Float.POSITIVE_INFINITY;
            float[] logits = {3f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};  // raw logits, not log-softmax

            harness.sendPredictionBytes("garbage", garbage, T0);
            harness.sendPredictionBytes("unknown-schema", unknownSchema, T0);
            harness.sendPredictionBytes("truncated", truncated, T0);
            harness.send(prediction("m", "nine", nine, 2, T0));
            harness.send(prediction("m", "nan", nan, 2, T0));
            harness.send(prediction("m", "inf", plusInfinity, 2, T0));
            harness.send(prediction("m", "logits", logits, 0, T0));
            harness.send(prediction("m", "label-10", confident(2, 0.9), 10, T0));
            Label badLabel = Label.newBuilder().setImageId("ok-1").setLabel(-1).setLabelTime(T0).build();
            harness.sendLabelBytes("ok-1", AvroSerde.labels().serializer().serialize("l", badLabel), T0);
            harness.sendPredictionBytes("ok-1", good, T0);

            List<DeadLetter> letters = harness.deadLetters();
            assertThat(letters).extracting(DeadLetter::getErrorKind).containsExactly(
                    "NOT_AVRO_SINGLE_OBJECT", "UNKNOWN_SCHEMA", "CORRUPT_RECORD", DeadLetterKind.WRONG_SIZE.name(),
                    DeadLetterKind.NAN_LOG_PROB.name(), DeadLetterKind.INFINITE_LOG_PROB.name(), DeadLetterKind.NOT_NORMALIZED.name(),
                    DeadLetterKind.BAD_LABEL.name(), DeadLetterKind.BAD_LABEL.name());
            assertThat(letters).extracting(DeadLetter::getTopic).containsExactly(
                    "predictions", "predictions", "predictions", "predictions", "predictions", "predictions",
                    "predictions", "predictions", "labels");
            assertThat(bytes(letters.get(0).getOriginalValue())).isEqualTo(garbage);
            assertThat(bytes(letters.get(2).getOriginalValue())).isEqualTo(truncated);
            assertThat(StandardCharsets.UTF_8.decode(letters.get(1).getOriginalKey()).toString()).isEqualTo("unknown-schema");
            assertThat(letters).allSatisfy(letter -> assertThat(letter.getMessage()).isNotBlank());
            assertThat(harness.counters.deadLetters()).containsEntry(DeadLetterKind.BAD_LABEL.name(), 2L)
                    .containsEntry("NOT_AVRO_SINGLE_OBJECT", 1L).containsEntry(DeadLetterKind.NOT_NORMALIZED.name(), 1L);

            assertThat(harness.cumulative("m").count()).as("the one good prediction").isEqualTo(1);
        }
    }

    @Test
    void theDeadLetterOfAPredictionNamesItsOffset() {
        try (TopologyHarness harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 100), stateDir)) {
            Prediction ok = prediction("m", "a", confident(2, 0.9), 2, T0);
            harness.send(ok);
            harness.sendPredictionBytes("b", new byte[] {1, 2, 3}, T0);

            DeadLetter letter = harness.deadLetters().get(0);
            assertThat(letter.getOffset()).isEqualTo(1);
            assertThat(letter.getPartition()).isZero();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}

package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Every way real bad bytes fail, and the kind each failure reports. */
class RecordDecodeExceptionTest {

    private static final String TOPIC = "images";

    private final AvroSerde<ImageEvent> images = AvroSerde.imageEvents();
    private final byte[] valid = images.serializer().serialize(TOPIC, Cifar10Sample.imageEvents().get(1));

    @Test
    void randomBytesAreNotAvroSingleObjects() {
        Random random = new Random(20_251_128L);
        for (int i = 0; i < 10_000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            if (garbage.length >= 2 && garbage[0] == (byte) 0xC3 && garbage[1] == 0x01) {
                continue;
            }

            assertThat(kindOf(images, garbage)).isEqualTo(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT);
        }
    }

    @Test
    void textAndEmptyValuesAreNotAvroSingleObjects() {
        RecordDecodeException e = failure(images, "{\"id\":\"test-00001\"}".getBytes());

        assertThat(e.kind()).isEqualTo(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT);
        assertThat(e).hasMessageContaining("'images'").hasMessageContaining("0x7B 0x22")
                .hasMessageContaining("0xC3 0x01");
        assertThat(kindOf(images, new byte[0])).isEqualTo(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT);
    }

    @Test
    void aHeaderCutShortIsNotAnAvroSingleObject() {
        for (int length = 0; length < AvroDeserializer.HEADER_LENGTH; length++) {
            assertThat(kindOf(images, Arrays.copyOf(valid, length))).isEqualTo(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT);
        }
    }

    @Test
    void everyTruncationOfARealRecordIsCorrupt() {
        for (int length = AvroDeserializer.HEADER_LENGTH; length < valid.length; length++) {
            RecordDecodeException e = failure(images, Arrays.copyOf(valid, length));

            assertThat(e.kind()).as("cut to %d bytes", length).isEqualTo(DeadLetterKind.CORRUPT_RECORD);
        }
        assertThat(failure(images, Arrays.copyOf(valid, valid.length - 1)))
                .hasMessageContaining("ends before the record does");
    }

    @Test
    void bytesAfterTheRecordAreCorrupt() {
        RecordDecodeException e = failure(images, Arrays.copyOf(valid, valid.length + 1));

        assertThat(e.kind()).isEqualTo(DeadLetterKind.CORRUPT_RECORD);
        assertThat(e).hasMessageContaining("left over");
    }

    @Test
    void anotherRecordTypesFingerprintIsAnUnknownSchema() {
        byte[] label = AvroSerde.labels().serializer().serialize("labels", Label.newBuilder()
                .setImageId("test-00001").setLabel(8).setLabelTime(Instant.ofEpochMilli(1)).build());

        RecordDecodeException e = failure(images, label);

        assertThat(e.kind()).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
        assertThat(e).hasMessageContaining(String.format("0x%016x",
                        SchemaNormalization.parsingFingerprint64(Label.getClassSchema())))
                .hasMessageContaining(String.format("0x%016x",
                        SchemaNormalization.parsingFingerprint64(ImageEvent.getClassSchema())))
                .hasMessageContaining("avro-history/ImageEvent-vN.avsc")
                .hasMessageContaining("withWriterSchemas");
    }

    @Test
    void aDamagedFingerprintIsAnUnknownSchema() {
        byte[] damaged = valid.clone();
        damaged[9] ^= 0x40;

        assertThat(kindOf(images, damaged)).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
    }

    @Test
    void aDamagedBodyIsCorruptOrStillARecordButNeverAnotherError() {
        Random random = new Random(7);
        int corrupt = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] damaged = valid.clone();
            int at = AvroDeserializer.HEADER_LENGTH + random.nextInt(40);
            damaged[at] = (byte) random.nextInt(256);
            try {
                images.deserializer().deserialize(TOPIC, damaged);
            } catch (RecordDecodeException e) {
                assertThat(e.kind()).isEqualTo(DeadLetterKind.CORRUPT_RECORD);
                corrupt++;
            }
        }
        assertThat(corrupt).isPositive();
    }

    @Test
    void garbageBodiesBehindValidHeadersOfEveryTypeFailAsCorruptWithoutHugeAllocations() {
        assertGarbageBodiesAreCorrupt(AvroSerde.imageEvents());
        assertGarbageBodiesAreCorrupt(AvroSerde.predictions());
        assertGarbageBodiesAreCorrupt(AvroSerde.labels());
        assertGarbageBodiesAreCorrupt(AvroSerde.metricsSnapshots());
        assertGarbageBodiesAreCorrupt(AvroSerde.deadLetters());
    }

    @Test
    void aCorruptItemCountFailsAtTheEndOfTheInput() {
        // Prediction body: image_id "", model_id "", model_version "", then log_probs claiming 2^30 floats.
        byte[] header = Arrays.copyOf(AvroSerde.predictions().serializer()
                .serialize(TOPIC, AvroSerdeTest.prediction("x-00000", 0)), AvroDeserializer.HEADER_LENGTH);
        byte[] body = {0, 0, 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        byte[] value = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, value, header.length, body.length);

        assertThat(kindOf(AvroSerde.predictions(), value)).isEqualTo(DeadLetterKind.CORRUPT_RECORD);
    }

    @Test
    void theDeserializerKeepsWorkingAfterFailures() {
        assertThatThrownBy(() -> images.deserializer().deserialize(TOPIC, Arrays.copyOf(valid, 50)))
                .isInstanceOf(RecordDecodeException.class);

        assertThat(images.deserializer().deserialize(TOPIC, valid)).isEqualTo(Cifar10Sample.imageEvents().get(1));
    }

    private static <T extends SpecificRecord> void assertGarbageBodiesAreCorrupt(AvroSerde<T> serde) {
        byte[] header = Arrays.copyOf(new byte[] {(byte) 0xC3, 0x01}, AvroDeserializer.HEADER_LENGTH);
        long fingerprint = SchemaNormalization.parsingFingerprint64(serde.schema());
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        Random random = new Random(fingerprint);
        for (int i = 0; i < 3_000; i++) {
            byte[] value = Arrays.copyOf(header, header.length + random.nextInt(200));
            byte[] body = new byte[value.length - header.length];
            random.nextBytes(body);
            System.arraycopy(body, 0, value, header.length, body.length);
            Supplier<T> decode = () -> serde.deserializer().deserialize(TOPIC, value);
            try {
                T record = decode.get();
                assertThat(record.getSchema()).isEqualTo(serde.schema());
            } catch (RecordDecodeException e) {
                assertThat(e.kind()).isEqualTo(DeadLetterKind.CORRUPT_RECORD);
            }
        }
    }

    private static DeadLetterKind kindOf(AvroSerde<?> serde, byte[] value) {
        return failure(serde, value).kind();
    }

    private static RecordDecodeException failure(AvroSerde<?> serde, byte[] value) {
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> serde.deserializer().deserialize(TOPIC, value));
        assertThat(e).as("decoding %d bytes must fail", value.length).isNotNull();
        return e;
    }
}

package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static final String TOPIC = "t";

    /** Exact comparison in which NaN equals NaN; Avro's equals() follows IEEE 754, where it does not. */
    private static final RecursiveComparisonConfiguration NAN_EQUALS_NAN = RecursiveComparisonConfiguration.builder()
            .withComparatorForType(Double::compare, Double.class).build();

    @Test
    void imageEventsOfRealCifarPixelsSurviveTheRoundTrip() {
        AvroSerde<ImageEvent> serde = AvroSerde.imageEvents();
        for (ImageEvent event : Cifar10Sample.imageEvents()) {
            byte[] bytes = serde.serializer().serialize(TOPIC, event);

            ImageEvent back = serde.deserializer().deserialize(TOPIC, bytes);

            assertThat(back).isEqualTo(event);
            assertThat(back.getData().remaining()).isEqualTo(3072);
        }
        assertThat(Cifar10Sample.imageEvents()).extracting(ImageEvent::getId, ImageEvent::getLabel)
                .containsExactly(
                        tuple("test-00000", 4),
                        tuple("test-00001", 8),
                        tuple("test-00002", 9),
                        tuple("test-00003", 6));
    }

    /** Read into one reused event, each value comes back whole, its pixels in the buffer the first one brought. */
    @Test
    void imageEventsReadIntoOneReusedEventEachComeBackWhole() {
        AvroSerde<ImageEvent> serde = AvroSerde.imageEvents();
        List<ImageEvent> events = new ArrayList<>(Cifar10Sample.imageEvents());
        ImageEvent first = events.get(0);
        events.add(ImageEvent.newBuilder().setId("test-unlabelled").setEventTime(first.getEventTime())
                .setSource("elsewhere").setLabel(null).setWidth(32).setHeight(32).setChannels(3)
                .setEncoding(first.getEncoding()).setData(first.getData()).build());
        ImageEvent reused = null;
        ByteBuffer firstBuffer = null;
        for (ImageEvent event : events) {
            byte[] bytes = serde.serializer().serialize(TOPIC, event);

            // Where a consumer's ByteBufferDeserializer leaves a value: a slice of a larger fetch buffer.
            ByteBuffer fetched = ByteBuffer.allocate(bytes.length + 7);
            fetched.position(5);
            fetched.put(bytes).position(5).limit(5 + bytes.length);
            ByteBuffer value = fetched.slice();

            ImageEvent back = serde.deserializer().deserialize(TOPIC, value, reused);

            assertThat(value.position()).isZero();

            assertThat(back).isEqualTo(event);
            if (reused == null) {
                firstBuffer = back.getData();
            }
            assertThat(back).isSameAs(reused == null ? back : reused);
            assertThat(back.getData()).isSameAs(firstBuffer);
            reused = back;
        }
        assertThat(reused.getLabel()).isNull();
    }

    @Test
    void predictionsSurviveTheRoundTrip() {
        Prediction prediction = prediction("test-00007", 3);

        assertThat(roundTrip(AvroSerde.predictions(), prediction)).isEqualTo(prediction);
    }

    /**
     * Float arrays are read unboxed into Avro's float-backed arrays: read into one reused prediction, every value comes
     * back whole, its arrays refilled in place, however long the previous value's were and whatever list a builder
     * gave the record it reuses.
     */
    @Test
    void predictionsReadIntoOneReusedRecordRefillTheirFloatArrays() {
        AvroSerde<Prediction> serde = AvroSerde.predictions();
        Prediction withStatistics = Prediction.newBuilder(prediction("test-00011", 5))
                .setChannelMeans(List.of(0.49f, 0.48f, 0.45f)).setChannelStds(List.of(0.25f, 0.24f, 0.26f))
                .setImageChroma(0.12f).setImageDetail(0.71f).build();
        Prediction fewerClasses = Prediction.newBuilder(prediction("test-00012", 2))
                .setLogProbs(List.of(-0.1f, -2.4f, -Float.MIN_VALUE)).build();
        Prediction reused = prediction("test-00013", 7); // its log_probs: an ArrayList from the builder

        for (Prediction expected : List.of(withStatistics, prediction("test-00014", 0), fewerClasses, withStatistics)) {
            Prediction back = serde.deserializer().deserialize(TOPIC, ByteBuffer.wrap(serde.serializer()
                    .serialize(TOPIC, expected)), reused);

            assertThat(back).isSameAs(reused).isEqualTo(expected);
        }
        Prediction fresh = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, withStatistics));
        assertThat(fresh.getLogProbs()).isInstanceOf(org.apache.avro.generic.PrimitivesArrays.FloatArray.class);
        assertThat(fresh.getChannelStds()).isInstanceOf(org.apache.avro.generic.PrimitivesArrays.FloatArray.class);
        List<Float> logProbs = fresh.getLogProbs();
        assertThat(serde.deserializer().deserialize(TOPIC, ByteBuffer.wrap(serde.serializer().serialize(TOPIC,
                fewerClasses)), fresh).getLogProbs()).isSameAs(logProbs).containsExactly(-0.1f, -2.4f, -Float.MIN_VALUE);
    }

    @Test
    void predictionsWithoutLabelKeepTheNull() {
        Prediction prediction = Prediction.newBuilder(prediction("test-00008", 1)).setLabel(null).build();

        assertThat(roundTrip(AvroSerde.predictions(), prediction).getLabel()).isNull();
    }

    @Test
    void labelsSurviveTheRoundTrip() {
        Label label = Label.newBuilder().setImageId("train-49999").setLabel(9)
                .setLabelTime(Instant.ofEpochMilli(1_764_000_123_456L)).build();

        assertThat(roundTrip(AvroSerde.labels(), label)).isEqualTo(label);
    }

    @Test
    void metricsSnapshotsSurviveTheRoundTripIncludingNaN() {
        List<Long> confusion = new ArrayList<>(Collections.nCopies(100, 0L));
        confusion.set(0, 7L);
        confusion.set(13, 2L);
        List<Double> perClass = new ArrayList<>(Collections.nCopies(10, 0.5));
        perClass.set(9, Double.NaN);
        MetricsSnapshot snapshot = MetricsSnapshot.newBuilder()
                .setModelId("cifar-cnn").setView(MetricsView.WINDOW)
                .setWindowStart(Instant.ofEpochMilli(1_000)).setWindowEnd(Instant.ofEpochMilli(61_000))
                .setCount(9).setConfusion(confusion)
                .setAccuracy(7 / 9.0).setF1Micro(7 / 9.0).setF1Macro(0.4).setF1Weighted(0.6)
                .setPrecision(perClass).setRecall(perClass).setF1(perClass).setAuc(perClass)
                .setAucMacro(0.5).setLogLoss(Double.NaN).setEmittedTime(Instant.ofEpochMilli(62_000))
                .build();

        MetricsSnapshot back = roundTrip(AvroSerde.metricsSnapshots(), snapshot);

        assertThat(back).usingRecursiveComparison(NAN_EQUALS_NAN).isEqualTo(snapshot);
        assertThat(back.getAuc().get(9)).isNaN();
        assertThat(back.getLogLoss()).isNaN();
        assertThat(back.getConfusion()).hasSize(100).element(13).isEqualTo(2L);
    }

    @Test
    void cumulativeMetricsSnapshotsHaveNoWindow() {
        MetricsSnapshot snapshot = MetricsSnapshot.newBuilder()
                .setModelId("m").setView(MetricsView.CUMULATIVE).setCount(0)
                .setConfusion(Collections.nCopies(100, 0L))
                .setAccuracy(Double.NaN).setF1Micro(Double.NaN).setF1Macro(Double.NaN).setF1Weighted(Double.NaN)
                .setPrecision(Collections.nCopies(10, Double.NaN)).setRecall(Collections.nCopies(10, Double.NaN))
                .setF1(Collections.nCopies(10, Double.NaN)).setAuc(Collections.nCopies(10, Double.NaN))
                .setAucMacro(Double.NaN).setLogLoss(Double.NaN).setEmittedTime(Instant.ofEpochMilli(5))
                .build();

        MetricsSnapshot back = roundTrip(AvroSerde.metricsSnapshots(), snapshot);

        assertThat(back.getWindowStart()).isNull();
        assertThat(back.getWindowEnd()).isNull();
        assertThat(back).usingRecursiveComparison(NAN_EQUALS_NAN).isEqualTo(snapshot);
    }

    @Test
    void deadLettersKeepTheRejectedBytesExactly() {
        DeadLetter letter = DeadLetter.newBuilder()
                .setOriginalKey(ByteBuffer.wrap("test-00001".getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF}))
                .setTopic("images").setPartition(2).setOffset(123_456_789_012L)
                .setStage("scorer").setErrorKind("CORRUPT_RECORD")
                .setMessage("A value on topic 'images' has a corrupt body.")
                .setFailedTime(Instant.ofEpochMilli(1_764_000_000_999L))
                .build();

        assertThat(roundTrip(AvroSerde.deadLetters(), letter)).isEqualTo(letter);
    }

    @Test
    void deadLettersOfKeylessTombstonesHaveNullBytes() {
        DeadLetter letter = DeadLetter.newBuilder()
                .setOriginalKey(null).setOriginalValue(null)
                .setTopic("labels").setPartition(0).setOffset(0).setStage("metrics-stream")
                .setErrorKind("NULL_VALUE").setMessage("m").setFailedTime(Instant.ofEpochMilli(0))
                .build();

        DeadLetter back = roundTrip(AvroSerde.deadLetters(), letter);

        assertThat(back.getOriginalKey()).isNull();
        assertThat(back.getOriginalValue()).isNull();
    }

    @Test
    void tombstonesStayNull() {
        AvroSerde<Label> serde = AvroSerde.labels();

        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, (byte[]) null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null, (ByteBuffer) null)).isNull();
    }

    @Test
    void bytesAreAvroSingleObjectEncodingThatAvroItselfDecodes() throws Exception {
        ImageEvent event = Cifar10Sample.imageEvents().get(0);

        byte[] bytes = AvroSerde.imageEvents().serializer().serialize(TOPIC, event);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(ImageEvent.getClassSchema()));
        GenericRecord byAvro = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), ImageEvent.getClassSchema())
                .decode(bytes);
        assertThat(byAvro.get("id")).hasToString("test-00000");
        assertThat(byAvro.get("label")).isEqualTo(4);
        assertThat(byAvro.get("event_time")).isEqualTo(event.getEventTime().toEpochMilli());
        assertThat(byAvro.get("encoding")).hasToString("RAW_CHW_U8");
        assertThat(byAvro.get("data")).isEqualTo(event.getData());
        assertThat(AvroSerde.imageEvents().deserializer().deserialize(TOPIC, null, ImageEvent.getEncoder().encode(event)))
                .isEqualTo(event);
    }

    @Test
    void byteBufferValuesAreReadInPlaceFromTheirPosition() {
        AvroSerde<Label> serde = AvroSerde.labels();
        Label label = Label.newBuilder().setImageId("test-00005").setLabel(2)
                .setLabelTime(Instant.ofEpochMilli(77)).build();
        byte[] value = serde.serializer().serialize(TOPIC, label);
        byte[] batch = new byte[value.length + 7];
        System.arraycopy(value, 0, batch, 3, value.length);
        ByteBuffer slice = ByteBuffer.wrap(batch, 3, value.length).slice();

        assertThat(serde.deserializer().deserialize(TOPIC, null, slice)).isEqualTo(label);
        assertThat(serde.deserializer().deserialize(TOPIC, null, ByteBuffer.wrap(batch, 3, value.length)))
                .isEqualTo(label);
        ByteBuffer direct = ByteBuffer.allocateDirect(value.length).put(value).flip();
        assertThat(serde.deserializer().deserialize(TOPIC, null, direct)).isEqualTo(label);
    }

    @Test
    void oneSerdeServesManyThreadsAtOnce() throws Exception {
        AvroSerde<Prediction> serde = AvroSerde.predictions();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = IntStream.range(0, 4).mapToObj(t -> pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    Prediction p = prediction(ImageIds.of("t" + t, i), i % 10);
                    if (!serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, p)).equals(p)) {
                        return false;
                    }
                }
                return true;
            })).toList();
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static Prediction prediction(String imageId, int label) {
        List<Float> logProbs = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            logProbs.add(c == label ? (float) Math.log(0.91) : (float) Math.log(0.01));
        }
        return Prediction.newBuilder()
                .setImageId(imageId).setModelId("cifar-cnn").setModelVersion("sha256:9f86d081884c7d65")
                .setLogProbs(logProbs).setPredictedClass(label).setLabel(label)
                .setEventTime(Instant.ofEpochMilli(1_764_000_000_000L))
                .setScoredTime(Instant.ofEpochMilli(1_764_000_000_012L))
                .setScoringLatencyMicros(11_873L)
                .build();
    }

    private static <T extends SpecificRecord> T roundTrip(AvroSerde<T> serde, T record) {
        return serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, record));
    }
}

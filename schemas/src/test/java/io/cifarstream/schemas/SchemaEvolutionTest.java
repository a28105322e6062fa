package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values written with an older schema, as a producer built before a change still writes them, and values of the
 * current schema as a consumer built before the change still reads them.
 */
class SchemaEvolutionTest {

    private static final String TOPIC = "images";

    private final Schema withoutSource = schema("/evolution/ImageEvent-without-source.avsc");
    private final ImageEvent real = Cifar10Sample.imageEvents().get(2);
    private final byte[] oldValue = writeWithoutSource(real);

    @Test
    void aReaderThatKnowsTheOlderWriterReadsItWithTheNewFieldsDefault() {
        AvroSerde<ImageEvent> serde = AvroSerde.imageEvents().withWriterSchemas(List.of(withoutSource));

        ImageEvent read = serde.deserializer().deserialize(TOPIC, oldValue);

        assertThat(read.getSource()).isEqualTo("unknown");
        assertThat(read.getId()).isEqualTo("test-00002");
        assertThat(read.getLabel()).isEqualTo(real.getLabel());
        assertThat(read.getEventTime()).isEqualTo(real.getEventTime());
        assertThat(read.getEncoding()).isEqualTo(ImageEncoding.RAW_CHW_U8);
        assertThat(read.getData()).isEqualTo(real.getData());
    }

    @Test
    void aReaderThatDoesNotKnowTheOlderWriterReportsAnUnknownSchema() {
        long fingerprint = SchemaNormalization.parsingFingerprint64(withoutSource);

        assertThatThrownBy(() -> AvroSerde.imageEvents().deserializer().deserialize(TOPIC, oldValue))
                .isInstanceOfSatisfying(RecordDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA))
                .hasMessageContaining(String.format("0x%016x", fingerprint));
    }

    @Test
    void currentValuesStillReadAfterAddingWriters() {
        AvroSerde<ImageEvent> serde = AvroSerde.imageEvents().withWriterSchemas(List.of(withoutSource));

        assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, real)))
                .isEqualTo(real);
        assertThat(serde.writerSchemas()).containsExactly(ImageEvent.getClassSchema(), withoutSource);
    }

    @Test
    void aWriterTheReaderCannotResolveIsRefusedUpFront() {
        Schema incompatible = schema("/evolution/ImageEvent-width-as-string.avsc");

        assertThatThrownBy(() -> AvroSerde.imageEvents().withWriterSchemas(List.of(incompatible)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field width");
    }

    @Test
    void anotherRecordsSchemaIsRefusedAsAWriter() {
        assertThatThrownBy(() -> AvroSerde.imageEvents().withWriterSchemas(List.of(Label.getClassSchema())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.cifarstream.schemas.Label");
    }

    @Test
    void historicVersionsAreFoundOnTheClasspathByNumberUntilTheFirstGap(@TempDir Path dir) throws IOException {
        Path history = Files.createDirectories(dir.resolve(WriterSchemaHistory.DIRECTORY));
        copy("/evolution/ImageEvent-without-source.avsc", history.resolve("ImageEvent-v1.avsc"));
        copy("/evolution/ImageEvent-without-source.avsc", history.resolve("ImageEvent-v3.avsc"));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(WriterSchemaHistory.load(ImageEvent.getClassSchema(), loader)).containsExactly(withoutSource);
        }
    }

    @Test
    void aHistoricVersionTheReaderCannotResolveStopsStartUp(@TempDir Path dir) throws IOException {
        Path history = Files.createDirectories(dir.resolve(WriterSchemaHistory.DIRECTORY));
        copy("/evolution/ImageEvent-width-as-string.avsc", history.resolve("ImageEvent-v1.avsc"));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> WriterSchemaHistory.load(ImageEvent.getClassSchema(), loader))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("avro-history/ImageEvent-v1.avsc")
                    .hasMessageContaining("field width");
        }
    }

    /** Prediction v1, before the scorer computed channel statistics; what every older scorer still writes. */
    private final Schema predictionV1 = schema("/avro-history/Prediction-v1.avsc");

    @Test
    void aVersion1PredictionDecodesWithNullImageStatistics() {
        Prediction current = AvroSerdeTest.prediction("test-00009", 4);
        GenericRecord old = v1Fields(predictionV1, current).build();

        Prediction read = AvroSerde.predictions().deserializer().deserialize("predictions", encode(predictionV1, old));

        assertThat(read.getChannelMeans()).isNull();
        assertThat(read.getChannelStds()).isNull();
        assertThat(read).isEqualTo(current);
    }

    /** Prediction v2, channel statistics without chroma and detail. */
    private final Schema predictionV2 = schema("/avro-history/Prediction-v2.avsc");

    @Test
    void aVersion2PredictionDecodesWithItsChannelStatisticsAndNullChromaAndDetail() {
        Prediction current = Prediction.newBuilder(AvroSerdeTest.prediction("test-00011", 2))
                .setChannelMeans(List.of(0.5f, 0.25f, 0.125f)).setChannelStds(List.of(0.1f, 0.2f, 0.3f)).build();
        GenericRecord old = v1Fields(predictionV2, current)
                .set("channel_means", current.getChannelMeans())
                .set("channel_stds", current.getChannelStds())
                .build();

        Prediction read = AvroSerde.predictions().deserializer().deserialize("predictions", encode(predictionV2, old));

        assertThat(read.getImageChroma()).isNull();
        assertThat(read.getImageDetail()).isNull();
        assertThat(read).isEqualTo(current);
    }

    @Test
    void aReaderOfVersion1ReadsAPredictionWithImageStatisticsAndSkipsThem() throws IOException {
        Prediction current = Prediction.newBuilder(AvroSerdeTest.prediction("test-00010", 6))
                .setChannelMeans(List.of(0.5f, 0.25f, 0.125f)).setChannelStds(List.of(0.1f, 0.2f, 0.3f))
                .setImageChroma(0.2f).setImageDetail(0.6f).build();
        byte[] value = AvroSerde.predictions().serializer().serialize("predictions", current);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), predictionV1);
        oldReader.addSchema(Prediction.getClassSchema());

        GenericRecord read = oldReader.decode(value);

        assertThat(read.getSchema().getField("channel_means")).isNull();
        assertThat(read.get("image_id").toString()).isEqualTo("test-00010");
        assertThat(read.get("predicted_class")).isEqualTo(6);
        assertThat(read.get("log_probs")).isEqualTo(current.getLogProbs());
        assertThat(read.get("scoring_latency_micros")).isEqualTo(current.getScoringLatencyMicros());
    }

    /** A record of an older Prediction schema with the fields every version has, from {@code current}. */
    private static GenericRecordBuilder v1Fields(Schema schema, Prediction current) {
        return new GenericRecordBuilder(schema)
                .set("image_id", current.getImageId())
                .set("model_id", current.getModelId())
                .set("model_version", current.getModelVersion())
                .set("log_probs", current.getLogProbs())
                .set("predicted_class", current.getPredictedClass())
                .set("label", current.getLabel())
                .set("event_time", current.getEventTime().toEpochMilli())
                .set("scored_time", current.getScoredTime().toEpochMilli())
                .set("scoring_latency_micros", current.getScoringLatencyMicros());
    }

    private static byte[] encode(Schema schema, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record, out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private byte[] writeWithoutSource(ImageEvent event) {
        GenericRecord old = new GenericRecordBuilder(withoutSource)
                .set("id", event.getId())
                .set("event_time", event.getEventTime().toEpochMilli())
                .set("label", event.getLabel())
                .set("width", event.getWidth())
                .set("height", event.getHeight())
                .set("channels", event.getChannels())
                .set("encoding", new GenericData.EnumSymbol(withoutSource.getField("encoding").schema(),
                        event.getEncoding().name()))
                .set("data", event.getData())
                .build();
        return encode(withoutSource, old);
    }

    private static Schema schema(String resource) {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
    }
}

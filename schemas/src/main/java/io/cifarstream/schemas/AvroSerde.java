package io.cifarstream.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The Kafka serde of one record type of this project, in Avro's single-object encoding, so any consumer
 * decodes values with no schema registry: 0xC3 0x01, the 8-byte little-endian CRC-64-AVRO fingerprint of
 * the writer schema's parsing canonical form, then the Avro binary body.
 *
 * <p>Writers always write the current schema. Readers resolve every writer version they know to the current
 * schema: the current one, the historic versions kept in {@code avro-history/} on the classpath, and any
 * added with {@link #withWriterSchemas}. Decoding failures are {@link RecordDecodeException}s.
 *
 * <p>Instances, their serializer and their deserializer are immutable and thread-safe (a producer is often
 * shared by threads, and Kafka Streams shares one serde across its stream threads); per-thread buffers and
 * decoders are reused, so the only allocation per record is its bytes or its object.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;
    private final Schema schema;
    private final List<Schema> writerSchemas;
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(Class<T> type, Schema schema, List<Schema> writerSchemas) {
        SpecificData model = SpecificData.getForClass(type);
        this.type = type;
        this.schema = schema;
        this.writerSchemas = writerSchemas;
        this.serializer = new AvroSerializer<>(schema, model);
        this.deserializer = new AvroDeserializer<>(schema, writerSchemas, model);
    }

    /** Values of the images topic. */
    public static AvroSerde<ImageEvent> imageEvents() {
        return of(ImageEvent.class);
    }

    /** Values of the predictions topic. */
    public static AvroSerde<Prediction> predictions() {
        return of(Prediction.class);
    }

    /** Values of the labels topic. */
    public static AvroSerde<Label> labels() {
        return of(Label.class);
    }

    /** Values of the metrics topic. */
    public static AvroSerde<MetricsSnapshot> metricsSnapshots() {
        return of(MetricsSnapshot.class);
    }

    /** Values of the dead-letters topic. */
    public static AvroSerde<DeadLetter> deadLetters() {
        return of(DeadLetter.class);
    }

    public static AvroSerde<ModelReference> modelReferences() {
        return of(ModelReference.class);
    }

    public static AvroSerde<Alert> alerts() {
        return of(Alert.class);
    }

    /**
     * The serde of a generated record class, reading its current schema and its historic versions from
     * {@code avro-history/} on the class's classpath.
     *
     * @throws IllegalStateException if a historic version cannot be read by the current schema
     */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        Schema current = SpecificData.get().getSchema(type);
        List<Schema> writers = new ArrayList<>();
        writers.add(current);
        writers.addAll(WriterSchemaHistory.load(current, type.getClassLoader()));
        return new AvroSerde<>(type, current, distinctByFingerprint(writers));
    }

    /**
     * A serde that also reads values written with {@code schemas}, e.g. a producer's newer or older version
     * not yet kept in {@code avro-history/}.
     *
     * @throws IllegalArgumentException if one of them cannot be read by the current schema
     */
    public AvroSerde<T> withWriterSchemas(Collection<Schema> schemas) {
        List<Schema> writers = new ArrayList<>(writerSchemas);
        for (Schema writer : schemas) {
            String problem = WriterSchemaHistory.incompatibility(schema, writer);
            if (problem != null) {
                throw new IllegalArgumentException("Writer schema with fingerprint "
                        + AvroDeserializer.hex(SchemaNormalization.parsingFingerprint64(writer)) + " " + problem);
            }
            writers.add(writer);
        }
        return new AvroSerde<>(type, schema, distinctByFingerprint(writers));
    }

    /** The schema records are written with and read into. */
    public Schema schema() {
        return schema;
    }

    /** Every writer schema the deserializer resolves, the current one first. */
    public List<Schema> writerSchemas() {
        return writerSchemas;
    }

    @Override
    public AvroSerializer<T> serializer() {
        return serializer;
    }

    @Override
    public AvroDeserializer<T> deserializer() {
        return deserializer;
    }

    private static List<Schema> distinctByFingerprint(List<Schema> schemas) {
        Map<Long, Schema> byFingerprint = new LinkedHashMap<>();
        for (Schema s : schemas) {
            byFingerprint.putIfAbsent(SchemaNormalization.parsingFingerprint64(s), s);
        }
        return List.copyOf(byFingerprint.values());
    }
}

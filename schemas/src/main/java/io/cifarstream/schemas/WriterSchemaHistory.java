package io.cifarstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The historic writer versions of a record's schema, kept as classpath resources
 * {@code avro-history/<RecordName>-v<N>.avsc}, N = 1, 2, ... without gaps (see the README there), and
 * the check that the current reader can resolve a writer schema.
 */
final class WriterSchemaHistory {

    static final String DIRECTORY = "avro-history";

    private static final Pattern TOP_LEVEL_FIELD = Pattern.compile("/fields/(\\d+)");

    private WriterSchemaHistory() {
    }

    /** Resource name of version {@code version} of the record named {@code recordName}. */
    static String resourceName(String recordName, int version) {
        return DIRECTORY + "/" + recordName + "-v" + version + ".avsc";
    }

    /**
     * Loads every historic version of {@code reader}'s record, oldest first, each checked to be resolvable
     * by {@code reader}.
     *
     * @throws IllegalStateException if a stored version is not valid JSON Avro, names another record, or
     *         cannot be read by {@code reader}
     */
    static List<Schema> load(Schema reader, ClassLoader loader) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String resource = resourceName(reader.getName(), version);
            Schema writer = parse(resource, loader);
            if (writer == null) {
                return List.copyOf(versions);
            }
            String problem = incompatibility(reader, writer);
            if (problem != null) {
                throw new IllegalStateException("Historic writer schema " + resource + " " + problem);
            }
            versions.add(writer);
        }
    }

    private static Schema parse(String resource, ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? null : new Schema.Parser().parse(in);
        } catch (IOException | AvroRuntimeException e) {
            throw new IllegalStateException("Cannot read historic writer schema " + resource + ": "
                    + e.getMessage() + ". Restore the file from version control: it must be the .avsc exactly"
                    + " as it was when records were written with it.", e);
        }
    }

    /**
     * Why {@code reader} cannot read data written with {@code writer}, or null if it can.
     */
    static String incompatibility(Schema reader, Schema writer) {
        if (!writer.getFullName().equals(reader.getFullName())) {
            return "describes " + writer.getFullName() + ", not " + reader.getFullName()
                    + ": a reader only resolves versions of its own record.";
        }
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return null;
        }
        String reasons = result.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + fieldAt(reader, i.getLocation()) + i.getLocation() + ": "
                        + i.getMessage())
                .collect(Collectors.joining("; "));
        return "cannot be read by the current " + reader.getName() + " schema (" + reasons
                + "). Give new reader fields a default, never change a field's type incompatibly,"
                + " and keep removed fields' names out of use.";
    }

    /** "field NAME " for a location inside a top-level field of {@code reader}, else "". */
    private static String fieldAt(Schema reader, String location) {
        Matcher m = TOP_LEVEL_FIELD.matcher(location);
        if (m.lookingAt()) {
            int index = Integer.parseInt(m.group(1));
            if (index < reader.getFields().size()) {
                return "field " + reader.getFields().get(index).name() + " ";
            }
        }
        return "";
    }
}

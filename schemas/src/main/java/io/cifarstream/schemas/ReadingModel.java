package io.cifarstream.schemas;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The data model a deserializer reads with: the generated record class's model (its logical-type
 * conversions), with two differences.
 *
 * <ul>
 *   <li>The generated classes of the reader schema's named types are bound up front. Avro 1.12.2 otherwise
 *       looks them up by name at read time and refuses every class outside its trusted list (system property
 *       {@code org.apache.avro.SERIALIZABLE_PACKAGES}), which a library should not widen for the whole JVM.
 *       The names come from the compiled-in reader schema, never from the data, so this trusts nothing
 *       the wire chooses.</li>
 *   <li>Arrays start at most {@value #MAX_INITIAL_ARRAY_CAPACITY} long and grow as elements arrive, so a
 *       corrupt item count fails at the end of the input instead of allocating what it claims.</li>
 * </ul>
 */
final class ReadingModel extends SpecificData {

    private static final int MAX_INITIAL_ARRAY_CAPACITY = 1024;

    private final Map<String, Class<?>> generatedClasses = new HashMap<>();

    ReadingModel(Schema reader, SpecificData classModel) {
        super(classModel.getClassLoader());
        classModel.getConversions().forEach(this::addLogicalTypeConversion);
        bindGeneratedClasses(reader);
    }

    @Override
    @SuppressWarnings("rawtypes") // the signature Avro declares
    public Class getClass(Schema schema) {
        Class<?> bound = schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM
                || schema.getType() == Schema.Type.FIXED ? generatedClasses.get(schema.getFullName()) : null;
        return bound != null ? bound : super.getClass(schema);
    }

    @Override
    public Object newArray(Object old, int size, Schema schema) {
        return super.newArray(old, Math.min(size, MAX_INITIAL_ARRAY_CAPACITY), schema);
    }

    private void bindGeneratedClasses(Schema schema) {
        switch (schema.getType()) {
            case RECORD -> {
                if (bind(schema)) {
                    schema.getFields().forEach(field -> bindGeneratedClasses(field.schema()));
                }
            }
            case ENUM, FIXED -> bind(schema);
            case ARRAY -> bindGeneratedClasses(schema.getElementType());
            case MAP -> bindGeneratedClasses(schema.getValueType());
            case UNION -> schema.getTypes().forEach(this::bindGeneratedClasses);
            default -> {
            }
        }
    }

    /** Binds the schema's generated class, if any; false if it was already bound (recursive types). */
    private boolean bind(Schema named) {
        if (generatedClasses.containsKey(named.getFullName())) {
            return false;
        }
        try {
            generatedClasses.put(named.getFullName(), Class.forName(named.getFullName(), false, getClassLoader()));
        } catch (ClassNotFoundException e) {
            // No generated class: Avro reads this type as a generic record, as it would anyway.
            generatedClasses.put(named.getFullName(), null);
        }
        return true;
    }
}

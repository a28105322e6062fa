package io.cifarstream.schemas;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Avro's {@link SpecificDatumReader}, except that an array of {@code float} is read into Avro's float-backed array
 * one unboxed float at a time. Avro's generic path boxes every element and, per array, walks the element schema
 * with a fresh {@code IdentityHashMap} to bound the claimed length: for the metrics stream, which reads a prediction's
 * ten log-probabilities and six channel statistics per record, that was a tenth of the join's time and most of its
 * garbage. A corrupt element count still fails at the end of the input: the array starts at most
 * {@link ReadingModel}'s initial capacity long and grows as floats are read, and reading past the value's bytes fails.
 * The writer's element type is resolved as Avro does ({@link ResolvingDecoder#readFloat()} promotes an int or a long).
 */
final class RecordReader<T> extends SpecificDatumReader<T> {

    RecordReader(Schema writer, Schema reader, SpecificData model) {
        super(writer, reader, model);
    }

    @Override
    protected Object readArray(Object old, Schema expected, ResolvingDecoder in) throws IOException {
        Schema element = expected.getElementType();
        if (element.getType() != Schema.Type.FLOAT || element.getLogicalType() != null) {
            return super.readArray(old, expected, in);
        }
        long count = in.readArrayStart();
        Object array = newArray(old, (int) Math.min(count, Integer.MAX_VALUE), expected);
        // A reused record may hold a list of another kind (one a builder was given): filled the generic way.
        PrimitivesArrays.FloatArray floats = array instanceof PrimitivesArrays.FloatArray f ? f : null;
        int size = 0;
        for (; count > 0; count = in.arrayNext()) {
            for (long i = 0; i < count; i++, size++) {
                if (floats != null) {
                    floats.add(size, in.readFloat());
                } else {
                    addToArray(array, size, in.readFloat());
                }
            }
        }
        return array;
    }
}

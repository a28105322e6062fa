package io.cifarstream.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.google.protobuf.ByteString;

import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto.DataType;

/** Tensors (initializers) from Java arrays and back; values in row-major order, stored as little-endian raw_data. */
public final class Tensors {
    private Tensors() {
    }

    public static TensorProto floats(String name, long[] shape, float[] values) {
        requireCount(name, shape, values.length);
        ByteBuffer raw = little(values.length * Float.BYTES);
        raw.asFloatBuffer().put(values);
        return tensor(name, shape, DataType.FLOAT, raw);
    }

    public static TensorProto int8s(String name, long[] shape, byte[] values) {
        requireCount(name, shape, values.length);
        return tensor(name, shape, DataType.INT8, ByteBuffer.wrap(values));
    }

    public static TensorProto uint8s(String name, long[] shape, byte[] values) {
        requireCount(name, shape, values.length);
        return tensor(name, shape, DataType.UINT8, ByteBuffer.wrap(values));
    }

    public static TensorProto int32s(String name, long[] shape, int[] values) {
        requireCount(name, shape, values.length);
        ByteBuffer raw = little(values.length * Integer.BYTES);
        raw.asIntBuffer().put(values);
        return tensor(name, shape, DataType.INT32, raw);
    }

    public static TensorProto int64s(String name, long[] shape, long[] values) {
        requireCount(name, shape, values.length);
        ByteBuffer raw = little(values.length * Long.BYTES);
        raw.asLongBuffer().put(values);
        return tensor(name, shape, DataType.INT64, raw);
    }

    /** A float32 scalar (shape []). */
    public static TensorProto scalar(String name, float value) {
        return floats(name, new long[0], new float[] {value});
    }

    /** A float32 tensor's values, from raw_data or float_data. */
    public static float[] toFloats(TensorProto tensor) {
        int count = valueCount(tensor, DataType.FLOAT, "float32");
        float[] values = new float[count];
        if (tensor.hasRawData()) {
            rawData(tensor, count, Float.BYTES).asFloatBuffer().get(values);
        } else {
            requireListed(tensor, tensor.getFloatDataCount(), count);
            for (int i = 0; i < count; i++) {
                values[i] = tensor.getFloatData(i);
            }
        }
        return values;
    }

    /** An int64 tensor's values, from raw_data or int64_data. */
    public static long[] toLongs(TensorProto tensor) {
        int count = valueCount(tensor, DataType.INT64, "int64");
        if (tensor.hasRawData()) {
            long[] values = new long[count];
            rawData(tensor, count, Long.BYTES).asLongBuffer().get(values);
            return values;
        }
        requireListed(tensor, tensor.getInt64DataCount(), count);
        return tensor.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }

    /** How many values {@code tensor} holds, once it is known to be of {@code type} and inside the file. */
    private static int valueCount(TensorProto tensor, DataType type, String typeName) {
        if (tensor.getDataType() != type.getNumber()) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " holds data type " + tensor.getDataType()
                    + ", not " + typeName);
        }
        if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " keeps its data in an external file: save "
                    + "the model with its weights inside the .onnx file");
        }
        return Math.toIntExact(elementCount(shape(tensor)));
    }

    /** The raw_data of {@code tensor}, little-endian, checked to hold {@code count} values of {@code bytes} each. */
    private static ByteBuffer rawData(TensorProto tensor, int count, int bytes) {
        ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (raw.remaining() != count * bytes) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " has " + raw.remaining()
                    + " bytes of data for " + count + " values of " + bytes + " bytes");
        }
        return raw;
    }

    private static void requireListed(TensorProto tensor, int listed, int count) {
        if (listed != count) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " lists " + listed + " values for a shape of "
                    + count);
        }
    }

    public static long[] shape(TensorProto tensor) {
        return tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        return count;
    }

    private static void requireCount(String name, long[] shape, int count) {
        if (elementCount(shape) != count) {
            throw new IllegalArgumentException(name + ": shape holds " + elementCount(shape) + " values, got " + count);
        }
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static TensorProto tensor(String name, long[] shape, DataType type, ByteBuffer raw) {
        TensorProto.Builder builder = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : shape) {
            builder.addDims(d);
        }
        return builder.setRawData(ByteString.copyFrom(raw.array())).build();
    }
}

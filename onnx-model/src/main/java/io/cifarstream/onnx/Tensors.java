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
        if (tensor.getDataType() != DataType.FLOAT_VALUE) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " holds data type " + tensor.getDataType()
                    + ", not float32");
        }
        requireInside(tensor);
        int count = Math.toIntExact(elementCount(shape(tensor)));
        float[] values = new float[count];
        if (tensor.hasRawData()) {
            ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() != count * Float.BYTES) {
                throw new OnnxFormatException("tensor " + tensor.getName() + " has " + raw.remaining()
                        + " bytes of data for " + count + " floats");
            }
            raw.asFloatBuffer().get(values);
        } else {
            if (tensor.getFloatDataCount() != count) {
                throw new OnnxFormatException("tensor " + tensor.getName() + " has " + tensor.getFloatDataCount()
                        + " floats for shape of " + count);
            }
            for (int i = 0; i < count; i++) {
                values[i] = tensor.getFloatData(i);
            }
        }
        return values;
    }

    /** An int64 tensor's values, from raw_data or int64_data. */
    public static long[] toLongs(TensorProto tensor) {
        if (tensor.getDataType() != DataType.INT64_VALUE) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " holds data type " + tensor.getDataType()
                    + ", not int64");
        }
        requireInside(tensor);
        int count = Math.toIntExact(elementCount(shape(tensor)));
        if (tensor.hasRawData()) {
            ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() != count * Long.BYTES) {
                throw new OnnxFormatException("tensor " + tensor.getName() + " has " + raw.remaining()
                        + " bytes of data for " + count + " int64 values");
            }
            long[] values = new long[count];
            raw.asLongBuffer().get(values);
            return values;
        }
        if (tensor.getInt64DataCount() != count) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " has " + tensor.getInt64DataCount()
                    + " int64 values for shape of " + count);
        }
        return tensor.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
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

    private static void requireInside(TensorProto tensor) {
        if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new OnnxFormatException("tensor " + tensor.getName() + " keeps its data in an external file: save "
                    + "the model with its weights inside the .onnx file");
        }
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

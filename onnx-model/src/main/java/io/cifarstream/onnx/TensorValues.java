package io.cifarstream.onnx;

import io.cifarstream.onnx.proto.Onnx.TensorProto.DataType;
import io.cifarstream.onnx.proto.Onnx.TensorShapeProto;
import io.cifarstream.onnx.proto.Onnx.TypeProto;
import io.cifarstream.onnx.proto.Onnx.ValueInfoProto;

/** Declarations of a graph's input and output tensors. */
public final class TensorValues {
    private TensorValues() {
    }

    /** A float32 tensor {@code [batch, dims...]} whose first dimension is the symbolic {@code batch}. */
    public static ValueInfoProto batchOfFloats(String name, String batch, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    /** A float32 tensor of unknown shape. */
    public static ValueInfoProto floats(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE))).build();
    }
}

package io.cifarstream.onnx;

import java.util.List;

import io.cifarstream.onnx.proto.Onnx.AttributeProto;
import io.cifarstream.onnx.proto.Onnx.AttributeProto.AttributeType;
import io.cifarstream.onnx.proto.Onnx.NodeProto;

/** Graph nodes of the default (ai.onnx) domain and their attributes. */
public final class Nodes {
    private Nodes() {
    }

    public static NodeProto node(String opType, String name, List<String> inputs, List<String> outputs,
                                 AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    /** An INT attribute. */
    public static AttributeProto attribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder builder = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            builder.addInts(v);
        }
        return builder.build();
    }

    /** The INT attribute {@code name} of {@code node}, else {@code otherwise}. */
    public static long intAttribute(NodeProto node, String name, long otherwise) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(AttributeProto::getI).orElse(otherwise);
    }

    /** The FLOAT attribute {@code name} of {@code node}, else {@code otherwise}. */
    public static float floatAttribute(NodeProto node, String name, float otherwise) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(AttributeProto::getF).orElse(otherwise);
    }

    /** Whether {@code node} is an operator of the default domain. */
    public static boolean isStandard(NodeProto node) {
        return node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
    }
}

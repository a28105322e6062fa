package io.cifarstream.onnx;

import java.util.List;
import java.util.Optional;

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

    /** The INTS attribute {@code name} of {@code node}, when it has one. */
    public static Optional<long[]> intsAttribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * Whether a Conv or pool {@code node} adds no border: no non-zero {@code pads}, and {@code auto_pad} unset or
     * {@code VALID}. Every output then reads input values only, none of the zeros (or minima) a border stands for.
     */
    public static boolean unpadded(NodeProto node) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals("pads") && attribute.getIntsList().stream().anyMatch(p -> p != 0)) {
                return false;
            }
            if (attribute.getName().equals("auto_pad")) {
                String mode = attribute.getS().toStringUtf8();
                if (!mode.equals("NOTSET") && !mode.equals("VALID")) {
                    return false;
                }
            }
        }
        return true;
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

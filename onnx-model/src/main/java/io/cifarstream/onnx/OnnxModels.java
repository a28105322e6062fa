package io.cifarstream.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;

import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.StringStringEntryProto;

/**
 * ONNX model files as {@link ModelProto} messages: read, write, and the metadata_props as a map. Fields of the ONNX
 * specification that onnx.proto here leaves out are kept as unknown fields, so a model read and written again keeps
 * them.
 */
public final class OnnxModels {
    private OnnxModels() {
    }

    /** The model in {@code file}; {@link OnnxFormatException} when it is no ONNX model. */
    public static ModelProto read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            ModelProto model = ModelProto.parseFrom(in);
            if (!model.hasGraph() || model.getOpsetImportCount() == 0) {
                throw new OnnxFormatException(file + " is not an ONNX model (no graph or no opset): give an .onnx file");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(file + " is not an ONNX model (" + e.getMessage() + "): give an .onnx file",
                    e);
        }
    }

    /** Writes {@code model} to {@code file}, replacing what is there. */
    public static void write(ModelProto model, Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    /** metadata_props in file order. */
    public static Map<String, String> metadata(ModelProto model) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto entry : model.getMetadataPropsList()) {
            metadata.put(entry.getKey(), entry.getValue());
        }
        return metadata;
    }

    /** {@code model} with exactly {@code metadata} as its metadata_props, in the map's order. */
    public static ModelProto withMetadata(ModelProto model, Map<String, String> metadata) {
        ModelProto.Builder builder = model.toBuilder().clearMetadataProps();
        metadata.forEach((key, value) -> builder.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return builder.build();
    }

    /** The opset version of the default (ai.onnx) domain, or 0 when the model imports none. */
    public static long defaultOpset(ModelProto model) {
        return model.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(o -> o.getVersion()).max().orElse(0);
    }
}

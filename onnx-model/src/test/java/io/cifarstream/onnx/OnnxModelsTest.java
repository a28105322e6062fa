package io.cifarstream.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.CodedOutputStream;

import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.testkit.ForeignModel;

/** Reading a model PyTorch wrote, editing it and writing it back, with the classes generated from onnx.proto. */
class OnnxModelsTest {

    @Test
    void readsAModelPyTorchExportedAndWritesTheSameBytesBack(@TempDir Path dir) throws IOException {
        Path file = ForeignModel.copyTo(dir, "foreign.onnx");
        ModelProto model = OnnxModels.read(file);

        assertThat(model.getProducerName()).isEqualTo("pytorch");
        assertThat(OnnxModels.defaultOpset(model)).isEqualTo(13);
        GraphIndex graph = new GraphIndex(model.getGraph());
        assertThat(graph.opTypes()).containsExactly("Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Conv",
                "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm");
        assertThat(Tensors.shape(graph.initializer("conv1.weight").orElseThrow())).containsExactly(64, 3, 3, 3);
        assertThat(Tensors.toFloats(graph.initializer("fc3.bias").orElseThrow())).hasSize(10);
        assertThat(graph.producer("/Relu_output_0").orElseThrow().getOpType()).isEqualTo("Relu");
        assertThat(graph.consumers("/Relu_output_0")).extracting(NodeProto::getOpType).containsExactly("MaxPool");
        assertThat(graph.producer("input")).isEmpty();
        assertThat(graph.isGraphOutput("logits")).isTrue();

        Path copy = dir.resolve("copy.onnx");
        OnnxModels.write(model, copy);
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void keepsFieldsOfTheSpecificationThatItsProtoLeavesOut() throws IOException {
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.writeTo(bytes);
        CodedOutputStream extra = CodedOutputStream.newInstance(bytes);
        extra.writeBytes(25, com.google.protobuf.ByteString.copyFromUtf8("a FunctionProto")); // ModelProto.functions
        extra.flush();

        ModelProto read = ModelProto.parseFrom(bytes.toByteArray());
        assertThat(read.toByteArray()).isEqualTo(bytes.toByteArray());
    }

    @Test
    void metadataIsAnOrderedMapAndReplacedAsAWhole() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("b", "2");
        metadata.put("a", "1");
        ModelProto model = OnnxModels.withMetadata(ModelProto.getDefaultInstance(), metadata);
        assertThat(OnnxModels.metadata(model)).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        assertThat(OnnxModels.metadata(OnnxModels.withMetadata(model, Map.of("c", "3")))).containsOnlyKeys("c");
    }

    @Test
    void tensorsRoundTripTheirValuesAsLittleEndianRawData() {
        float[] values = {1.5f, -2f, 0f, Float.MIN_VALUE, 3e38f, -0.25f};
        TensorProto tensor = Tensors.floats("w", new long[] {2, 3}, values);
        assertThat(tensor.getRawData().toByteArray()).startsWith(0, 0, (byte) 0xC0, 0x3F); // 1.5f little-endian
        assertThat(Tensors.toFloats(tensor)).containsExactly(values);
        assertThat(Tensors.toFloats(TensorProto.newBuilder().setName("f").setDataType(1).addDims(2)
                .addFloatData(7f).addFloatData(8f).build())).containsExactly(7f, 8f);
        assertThat(Tensors.int32s("b", new long[] {2}, new int[] {1, -1}).getRawData().toByteArray())
                .containsExactly(1, 0, 0, 0, -1, -1, -1, -1);
        assertThat(Tensors.scalar("s", 2f).getDimsCount()).isZero();
        assertThatThrownBy(() -> Tensors.floats("w", new long[] {2, 2}, values))
                .hasMessageContaining("shape holds 4 values, got 6");
        assertThatThrownBy(() -> Tensors.toFloats(Tensors.int8s("q", new long[] {1}, new byte[] {1})))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("not float32");
    }

    @Test
    void nodesCarryTheirAttributes() {
        NodeProto node = Nodes.node("Gemm", "fc", List.of("x", "w"), List.of("y"), Nodes.attribute("transB", 1),
                Nodes.ints("pads", 0, 1));
        assertThat(Nodes.intAttribute(node, "transB", 0)).isEqualTo(1);
        assertThat(Nodes.intAttribute(node, "transA", 0)).isZero();
        assertThat(Nodes.floatAttribute(node, "alpha", 1f)).isEqualTo(1f);
        assertThat(node.getAttribute(1).getIntsList()).containsExactly(0L, 1L);
        assertThat(Nodes.isStandard(node)).isTrue();
    }

    @Test
    void aFileThatIsNotOnnxIsAUserErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "these are not the weights you are looking for");
        assertThatThrownBy(() -> OnnxModels.read(text)).isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining(text.toString()).hasMessageContaining("not an ONNX model");
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertThatThrownBy(() -> OnnxModels.read(empty)).isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining("no graph");
    }
}

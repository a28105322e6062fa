package io.cifarstream.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.testkit.ForeignModel;

/** The plan for the PyTorch export of the seed CNN: what becomes int8 and which ranges calibration measures. */
class QuantizationPlanTest {

    @Test
    void everyConvAndGemmBecomesInt8AndPoolsAndFlattenShareTheirInputsRange(@TempDir Path dir) throws IOException {
        GraphIndex graph = new GraphIndex(OnnxModels.read(ForeignModel.copyTo(dir, "foreign.onnx")).getGraph());
        QuantizationPlan plan = QuantizationPlan.of(graph, Set.of());

        assertThat(plan.int8Nodes()).extracting(NodeProto::getName).containsExactly("/conv1/Conv", "/conv2/Conv",
                "/conv3/Conv", "/fc1/Gemm", "/fc2/Gemm", "/fc3/Gemm");
        assertThat(plan.sources()).containsExactlyInAnyOrder("input", "/Relu_output_0", "/Relu_1_output_0",
                "/Relu_2_output_0", "/Relu_3_output_0", "/Relu_4_output_0");
        assertThat(plan.sourceOf("/MaxPool_output_0")).isEqualTo("/Relu_output_0");
        assertThat(plan.sourceOf("/Flatten_output_0")).isEqualTo("/Relu_2_output_0");
        assertThat(plan.sourceOf("/MaxPool_2_output_0")).isEqualTo("/Relu_2_output_0");
        assertThat(plan.quantizedActivations()).doesNotContain("logits", "/conv1/Conv_output_0");
    }

    @Test
    void afterAFloatNodeOnlyTheInt8NodesInputIsQuantizedSoThePoolBetweenStaysFloat(@TempDir Path dir)
            throws IOException {
        GraphIndex graph = new GraphIndex(OnnxModels.read(ForeignModel.copyTo(dir, "foreign.onnx")).getGraph());
        QuantizationPlan plan = QuantizationPlan.of(graph, Set.of("/conv1/Conv"));
        assertThat(plan.int8Nodes()).hasSize(5);
        assertThat(plan.sources()).doesNotContain("input", "/Relu_output_0").contains("/MaxPool_output_0");
        assertThat(plan.quantizedActivations()).doesNotContain("/Relu_output_0");
    }
}

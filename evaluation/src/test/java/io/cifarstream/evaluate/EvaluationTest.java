package io.cifarstream.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/**
 * An evaluation of the foreign (PyTorch-exported) model on the first 500 test images equals what PyTorch and
 * scikit-learn computed for the same images (the fixture's foreign_cnn_metrics_500.json): counts exactly, scores to
 * rounding, AUC and log-loss up to the float differences between ONNX Runtime and PyTorch.
 */
class EvaluationTest {
    static JsonNode expected;
    static JsonNode actual;

    @BeforeAll
    static void evaluate(@TempDir Path dir) throws Exception {
        Path model = ForeignModel.copyTo(dir, "foreign_cnn.onnx");
        expected = new ObjectMapper().readTree(ForeignModel.read("foreign_cnn_metrics_500.json"));
        ModelOptions conventions = ModelOptions.defaults().withNormalization(ForeignModel.MEAN, ForeignModel.STD)
                .withOutput(OutputKind.LOGITS);
        try (OnnxClassifier classifier = OnnxClassifier.load(model, conventions, 64)) {
            Evaluation evaluation = Evaluation.run(classifier, CifarTestData.testSplit().first(500), count -> { });
            ObjectMapper json = new ObjectMapper();
            actual = json.readTree(json.writeValueAsString(evaluation.report())); // numbers as a reader sees them
        }
    }

    @Test
    void countsAreScikitLearnsExactly() {
        assertThat(actual.get("count").asLong()).isEqualTo(500);
        assertThat(actual.get("confusion")).isEqualTo(expected.get("confusion"));
    }

    @Test
    void scoresDerivedFromCountsAgreeToRoundingError() {
        for (String name : List.of("accuracy", "f1_micro", "f1_macro", "f1_weighted")) {
            assertThat(actual.get(name).asDouble()).as(name).isCloseTo(expected.get(name).asDouble(), within(1e-12));
        }
        for (String name : List.of("precision", "recall", "f1")) {
            for (int k = 0; k < 10; k++) {
                assertThat(actual.get(name).get(k).asDouble()).as(name + "[" + k + "]")
                        .isCloseTo(expected.get(name).get(k).asDouble(), within(1e-12));
            }
        }
    }

    @Test
    void aucAndLogLossAgreeUpToTheFloatDifferencesBetweenOnnxRuntimeAndPyTorch() {
        for (int k = 0; k < 10; k++) {
            assertThat(actual.get("auc").get(k).asDouble()).as("auc[" + k + "]")
                    .isCloseTo(expected.get("auc").get(k).asDouble(), within(1e-4));
        }
        assertThat(actual.get("log_loss").asDouble()).isCloseTo(expected.get("log_loss").asDouble(), within(1e-4));
    }
}

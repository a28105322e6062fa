package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.Shift;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/**
 * {@code bench drift} with the foreign model, referenced on 5,000 training images, on the real test split: the clean
 * stream stays under every distance bound, strong contrast loss and brightening are over one within the view's size.
 */
class DriftBenchmarkTest {

    @Test
    void cleanImagesStayUnderTheBoundsAndStrongShiftsGoOverWithinTheView(@TempDir Path dir) throws Exception {
        Cifar10 data = CifarTestData.cifar10();
        Path model = ForeignModel.copyTo(dir, "foreign.onnx");
        ModelOptions conventions = ModelOptions.defaults().withNormalization(ForeignModel.MEAN, ForeignModel.STD)
                .withOutput(OutputKind.LOGITS);
        CifarImages reference = data.train().first(5_000);
        JsonNode result;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, conventions)) {
            ReferenceFile made = ReferenceFile.measure(classifier, reference.pixels(), reference.labels(),
                    reference.size(), "the first 5,000 training images", n -> { });
            DriftBenchmark bench = new DriftBenchmark(classifier, made.calibration(), data.test(), 1_000, 5_000,
                    line -> { });
            result = bench.run(List.of(7L), seed -> identity(data.test().size()),
                    List.of(Shift.parse("contrast:5"), Shift.parse("brightness:5")));
        }

        JsonNode run = result.get("seeds").get(0);
        assertThat(run.get("clean").get("evaluations").asInt()).isEqualTo(9_001);
        assertThat(run.get("clean").get("distance_over").asInt()).as("%s", run.get("clean")).isZero();
        for (JsonNode shift : run.get("shifts")) {
            assertThat(shift.get("over_before_shift").asInt()).isZero();
            assertThat(shift.get("records_after_shift").asInt()).as(shift.get("shift").asText()).isBetween(1, 1_000);
        }
        assertThat(run.get("shifts").get(0).get("first_over").asText()).contains("image_std");
        assertThat(run.get("shifts").get(1).get("first_over").asText()).contains("image_mean");
        assertThat(result.get("summary").get("clean_evaluations_over_a_distance_bound").asInt()).isZero();
    }

    private static int[] identity(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }
}

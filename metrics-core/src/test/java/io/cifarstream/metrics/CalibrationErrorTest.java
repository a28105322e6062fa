package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static io.cifarstream.metrics.ConfidenceEstimateTest.logProbs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibrationErrorTest {

    /**
     * Three labelled predictions, three classes, T = 1:
     * <pre>
     *   label 0, p = [0.7, 0.2, 0.1]: predicted 0, right, confidence 0.7 in bin (10/15, 11/15]
     *   label 2, p = [0.3, 0.55, 0.15]: predicted 1, wrong, confidence 0.55 in bin (8/15, 9/15]
     *   label 1, p = [0.1, 0.62, 0.28]: predicted 1, right, confidence 0.62 in bin (9/15, 10/15]
     * </pre>
     */
    private static CalibrationError threeRecords() {
        CalibrationErrorAccumulator acc = new CalibrationErrorAccumulator(Calibrations.of(3, 1.0, 0.5));
        acc.add(0, logProbs(0.7, 0.2, 0.1));
        acc.add(2, logProbs(0.3, 0.55, 0.15));
        acc.add(1, logProbs(0.1, 0.62, 0.28));
        return acc.snapshot();
    }

    @Test
    void threeRecordsByHand() {
        CalibrationError e = threeRecords();
        assertThat(e.count()).isEqualTo(3);
        assertThat(e.accuracy()).isEqualTo(2.0 / 3);
        assertThat(e.meanConfidence()).isCloseTo((0.7 + 0.55 + 0.62) / 3, within(1e-7));
        // ECE: one record per bin, |1 - 0.7| + |0 - 0.55| + |1 - 0.62|, each weighted 1/3.
        assertThat(e.ece()).isCloseTo((0.3 + 0.55 + 0.38) / 3, within(1e-7));
        assertThat(e.reliability()).hasSize(15);
        assertThat(e.reliability().get(10).count()).isEqualTo(1);
        assertThat(e.reliability().get(10).accuracy()).isEqualTo(1.0);
        assertThat(e.reliability().get(8).meanConfidence()).isCloseTo(0.55, within(1e-7));
        assertThat(e.reliability().get(8).accuracy()).isZero();
        assertThat(e.reliability().get(0).meanConfidence()).isNaN();
        assertThat(e.reliability().get(9).lower()).isEqualTo(9.0 / 15);
        // Brier of class 0: ((0.7 - 1)^2 + 0.3^2 + 0.1^2) / 3; class 1: (0.2^2 + 0.55^2 + (0.62 - 1)^2) / 3;
        // class 2: (0.1^2 + (0.15 - 1)^2 + 0.28^2) / 3.
        double b0 = (0.09 + 0.09 + 0.01) / 3;
        double b1 = (0.04 + 0.3025 + 0.1444) / 3;
        double b2 = (0.01 + 0.7225 + 0.0784) / 3;
        assertThat(e.brierPerClass().get(0)).isCloseTo(b0, within(1e-7));
        assertThat(e.brierPerClass().get(1)).isCloseTo(b1, within(1e-7));
        assertThat(e.brierPerClass().get(2)).isCloseTo(b2, within(1e-7));
        // The multi-class Brier is their sum, their mean is a third of it.
        assertThat(e.brier()).isCloseTo(b0 + b1 + b2, within(1e-7));
        assertThat(e.brierClassMean()).isCloseTo((b0 + b1 + b2) / 3, within(1e-7));
    }

    @Test
    void anEmptyViewIsAllNullsAndTheJsonNamesAreTheApis() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        CalibrationError empty = new CalibrationErrorAccumulator(Calibrations.of(3, 1.0, 0.5)).snapshot();
        assertThat(empty.ece()).isNaN();
        assertThat(empty.brier()).isNaN();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(threeRecords()));
        assertThat(json.get("ece").asDouble()).isCloseTo(1.23 / 3, within(1e-7));
        assertThat(json.has("brier") && json.has("brier_per_class") && json.has("brier_class_mean")
                && json.has("mean_confidence") && json.has("reliability")).isTrue();
        assertThat(json.get("reliability").get(0).get("accuracy").isNull()).isTrue();
        assertThat(mapper.readValue(json.toString(), CalibrationError.class)).isEqualTo(threeRecords());
    }

    @Test
    void rejectsALabelOutOfRangeAndChangesNothing() {
        CalibrationErrorAccumulator acc = new CalibrationErrorAccumulator(Calibrations.of(3, 1.0, 0.5));
        assertThatThrownBy(() -> acc.add(3, logProbs(0.7, 0.2, 0.1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 3 is outside 0..2");
        assertThat(acc.count()).isZero();
    }
}

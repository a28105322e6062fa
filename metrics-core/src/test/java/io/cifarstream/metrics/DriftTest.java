package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DriftTest {

    /** The foreign model's clean CIFAR-10 test split: the first half is the reference, the second the view. */
    private static final PredictionRecords FOREIGN = PredictionRecords.read("foreign-cnn-test-predictions.bin");
    private static final Calibration REFERENCE = FOREIGN.slice(0, 5000).calibration();
    private static final PredictionRecords TARGET = FOREIGN.slice(5000, 10000);

    /** No shift, only sampling noise. */
    @Test
    void theSameDistributionIsNotOverAnyBound() {
        DriftAccumulator view = new DriftAccumulator(REFERENCE);
        for (int i = 0; i < TARGET.size(); i++) {
            view.add(TARGET.logProbs()[i], TARGET.stats()[i]);
        }
        Drift drift = view.drift(REFERENCE);
        assertThat(drift.checks()).hasSize(11);
        assertThat(drift.anyOver()).as("%s", drift).isFalse();
        assertThat(drift.check(MonitoringFields.PREDICTED_CLASS_CHI_SQUARE).pValue()).isGreaterThan(DriftAccumulator.ALPHA);
        assertThat(drift.check(MonitoringFields.CONFIDENCE_JS).statistic()).isLessThan(0.05);
    }

    /** Darker, flatter images (as under low contrast, statistics changed, predictions not): every image check is over. */
    @Test
    void aShiftOfTheImagesIsOverTheImageBounds() {
        DriftAccumulator view = new DriftAccumulator(REFERENCE);
        for (int i = 0; i < TARGET.size(); i++) {
            float[] stats = TARGET.stats()[i].clone();
            for (int c = 0; c < 3; c++) {
                stats[ImageStatistics.MEAN + c] *= 0.6f;
                stats[ImageStatistics.STD + c] *= 0.3f;
            }
            view.add(TARGET.logProbs()[i], stats);
        }
        Drift drift = view.drift(REFERENCE);
        for (String name : MonitoringFields.IMAGE_STD_JS) {
            assertThat(drift.check(name).over()).as(name).isTrue();
        }
        for (String name : MonitoringFields.IMAGE_MEAN_JS) {
            assertThat(drift.check(name).over()).as(name).isTrue();
        }
        assertThat(drift.check(MonitoringFields.PREDICTED_CLASS_JS).over()).isFalse();
    }

    /**
     * Blurred, desaturated images (detail and chroma lower, means and deviations as they were): the detail and chroma
     * checks are over, the channel checks are not.
     */
    @Test
    void lessDetailAndLessColourAreOverTheirBoundsAlone() {
        DriftAccumulator view = new DriftAccumulator(REFERENCE);
        for (int i = 0; i < TARGET.size(); i++) {
            float[] stats = TARGET.stats()[i].clone();
            stats[ImageStatistics.CHROMA] *= 0.5f;
            stats[ImageStatistics.DETAIL] *= 0.85f;
            view.add(TARGET.logProbs()[i], stats);
        }
        Drift drift = view.drift(REFERENCE);
        assertThat(drift.check(MonitoringFields.IMAGE_CHROMA_JS).over()).isTrue();
        assertThat(drift.check(MonitoringFields.IMAGE_DETAIL_JS).over()).isTrue();
        for (String name : MonitoringFields.IMAGE_MEAN_JS) {
            assertThat(drift.check(name).over()).as(name).isFalse();
        }
        for (String name : MonitoringFields.IMAGE_STD_JS) {
            assertThat(drift.check(name).over()).as(name).isFalse();
        }
    }

    @Test
    void anEmptyViewOrNoImageStatisticsIsNaNAndNeverOver() {
        Calibration reference = FOREIGN.slice(0, 500).calibration();
        DriftAccumulator view = new DriftAccumulator(reference);
        Drift empty = view.drift(reference);
        assertThat(empty.checks()).allMatch(c -> Double.isNaN(c.statistic()) && !c.over());
        view.add(FOREIGN.logProbs()[600]);
        Drift noImages = view.drift(reference);
        assertThat(noImages.check(MonitoringFields.CONFIDENCE_JS).statistic()).isNotNaN();
        assertThat(noImages.check("image_mean_red_js").statistic()).isNaN();
        assertThat(noImages.check(MonitoringFields.IMAGE_DETAIL_JS).statistic()).isNaN();
    }

    @Test
    void theJsonIsAnObjectPerCheckAndRoundTrips() throws Exception {
        Calibration reference = FOREIGN.slice(0, 1000).calibration();
        DriftAccumulator view = new DriftAccumulator(reference);
        for (int i = 1000; i < 1500; i++) {
            view.add(FOREIGN.logProbs()[i], FOREIGN.stats()[i]);
        }
        Drift drift = view.drift(reference);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(drift));
        JsonNode chiSquare = json.get("predicted_class_chi_square");
        assertThat(chiSquare.get("statistic").isNumber() && chiSquare.get("p_value").isNumber()
                && chiSquare.get("bound").isNumber() && chiSquare.get("over").isBoolean()).isTrue();
        assertThat(json.get("confidence_js").get("p_value").isNull()).isTrue();
        assertThat(mapper.readValue(json.toString(), Drift.class)).isEqualTo(drift);
    }

    @Test
    void aCheckIsOverExactlyWhenItsStatisticExceedsItsBound() {
        assertThat(DriftCheck.of("x", 0.2, Double.NaN, 0.1).over()).isTrue();
        assertThat(DriftCheck.of("x", 0.1, Double.NaN, 0.1).over()).isFalse();
        assertThat(DriftCheck.of("x", Double.NaN, Double.NaN, 0.1).over()).isFalse();
        assertThatThrownBy(() -> new DriftCheck("x", 0.2, Double.NaN, 0.1, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A class the reference never predicted, predicted now: the chi-square statistic is infinite (scipy says inf,
     * p-value 0). JSON has no infinity; it goes out as Jackson's string and must come back, or a reader of the
     * metrics API fails on a drifted model.
     */
    @Test
    void anInfiniteStatisticSurvivesJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        DriftCheck infinite = DriftCheck.of("predicted_class_chi_square", Double.POSITIVE_INFINITY, 0.0, 16.9);
        String written = json.writeValueAsString(infinite);
        assertThat(written).contains("\"statistic\":\"Infinity\"");
        assertThat(json.readValue(written, DriftCheck.class)).isEqualTo(infinite);
        DriftCheck negative = DriftCheck.of("x", Double.NEGATIVE_INFINITY, Double.NaN, 0.1);
        assertThat(json.readValue(json.writeValueAsString(negative), DriftCheck.class)).isEqualTo(negative);
        assertThatThrownBy(() -> json.readValue(written.replace("Infinity", "lots"), DriftCheck.class))
                .hasMessageContaining("lots");
    }

    @Test
    void aViewIsCheckedOnlyAgainstItsOwnCalibration() {
        DriftAccumulator view = new DriftAccumulator(Calibrations.of(10, 1.0, 0.5));
        assertThatThrownBy(() -> view.drift(Calibrations.of(10, 2.0, 0.5))).isInstanceOf(IllegalArgumentException.class);
    }
}

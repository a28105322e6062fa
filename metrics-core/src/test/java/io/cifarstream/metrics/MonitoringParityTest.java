package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The calibration fit, the label-free estimates, the calibration metrics and the drift checks against
 * numpy, scipy and scikit-learn ({@code src/test/python/make_monitoring_fixture.py}, whose header says how to
 * regenerate), on two sets: 5,000 seeded synthetic records (3,000 reference, 2,000 shifted target, with
 * -Infinity log-probs and whole-number logits) and the foreign model's real predictions on the CIFAR-10 test
 * split (5,000 reference, 5,000 target). Counts must be identical, floats equal to 1e-9.
 */
class MonitoringParityTest {

    private static final double TOLERANCE = 1e-9;

    /** The reference and target records of one set, and what the Python script computed for them. */
    record Case(String name, PredictionRecords reference, PredictionRecords target, JsonNode expected) {
        static Case of(String name) {
            JsonNode expected = MonitoringFixture.json().get(name);
            PredictionRecords all = PredictionRecords.read(expected.get("records").asText());
            return new Case(name, all.slice(expected.get("reference").get(0).asInt(),
                    expected.get("reference").get(1).asInt()),
                    all.slice(expected.get("target").get(0).asInt(), expected.get("target").get(1).asInt()), expected);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(Case.of("synthetic"), Case.of("foreign"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theCalibrationIsScipysMinimizerAndTheReferenceCounts(Case c) {
        JsonNode expected = c.expected().get("calibration");
        Calibration calibration = c.reference().calibration();

        // brentq on the NLL's derivative, to full precision; minimize_scalar on the NLL itself, to its tolerance.
        double temperature = expected.get("temperature").asDouble();
        assertThat(calibration.temperature()).isCloseTo(temperature, within(1e-9 * temperature));
        assertThat(calibration.temperature()).isCloseTo(expected.get("temperature_by_minimize_scalar").asDouble(),
                within(1e-4 * temperature));
        double nll = TemperatureScaling.negativeLogLikelihood(calibration.temperature(), c.reference().labels(),
                c.reference().logProbs());
        assertThat(nll).isCloseTo(expected.get("nll_at_temperature").asDouble(), within(TOLERANCE));
        assertThat(nll).isLessThanOrEqualTo(expected.get("nll_at_temperature_by_minimize_scalar").asDouble() + 1e-12);
        assertThat(calibration.referenceLogLoss()).isEqualTo(nll);

        assertThat(calibration.atcThreshold()).isCloseTo(expected.get("atc_threshold").asDouble(), within(1e-12));
        assertThat(calibration.atcEntropyThreshold()).isCloseTo(expected.get("atc_entropy_threshold").asDouble(),
                within(1e-12));
        assertThat(calibration.referenceAccuracy()).isCloseTo(expected.get("reference_accuracy").asDouble(), within(1e-15));
        assertThat(calibration.referenceCount()).isEqualTo(c.expected().get("reference_count").asLong());
        assertThat(calibration.predictedClassCounts()).isEqualTo(longs(expected.get("predicted_class_counts")));
        assertThat(calibration.confidenceHistogram()).isEqualTo(longs(expected.get("confidence_histogram")));
        assertThat(calibration.imageCount()).isEqualTo(calibration.referenceCount());
        for (int channel = 0; channel < 3; channel++) {
            assertThat(calibration.channelMeanHistograms().get(channel))
                    .isEqualTo(longs(expected.get("channel_mean_histograms").get(channel)));
            assertThat(calibration.channelStdHistograms().get(channel))
                    .isEqualTo(longs(expected.get("channel_std_histograms").get(channel)));
        }
        assertThat(calibration.chromaHistogram()).isEqualTo(longs(expected.get("chroma_histogram")));
        assertThat(calibration.detailHistogram()).isEqualTo(longs(expected.get("detail_histogram")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void labelFreeEstimatesMatchNumpy(Case c) {
        JsonNode expected = c.expected().get("estimate");
        ConfidenceEstimateAccumulator accumulator = new ConfidenceEstimateAccumulator(c.reference().calibration());
        for (float[] row : c.target().logProbs()) {
            accumulator.add(row);
        }
        ConfidenceEstimate estimate = accumulator.snapshot();

        assertThat(estimate.count()).isEqualTo(c.expected().get("target_count").asLong());
        assertThat(estimate.estimatedAccuracyAc()).isCloseTo(expected.get("estimated_accuracy_ac").asDouble(), within(TOLERANCE));
        // A count over a count: the same records above the threshold, exactly.
        assertThat(estimate.estimatedAccuracyAtc()).isEqualTo(expected.get("estimated_accuracy_atc").asDouble());
        assertThat(estimate.estimatedAccuracyAtcNe()).isEqualTo(expected.get("estimated_accuracy_atc_ne").asDouble());
        assertThat(estimate.estimatedAccuracy()).isCloseTo(expected.get("estimated_accuracy").asDouble(), within(TOLERANCE));
        assertThat(estimate.estimatedF1Macro()).isCloseTo(expected.get("estimated_f1_macro").asDouble(), within(TOLERANCE));
        for (int i = 0; i < 10; i++) {
            assertThat(estimate.estimatedF1().get(i)).as("f1 %d", i)
                    .isCloseTo(expected.get("estimated_f1").get(i).asDouble(), within(TOLERANCE));
            for (int j = 0; j < 10; j++) {
                assertThat(estimate.estimatedConfusion().get(i).get(j)).as("cell %d, %d", i, j)
                        .isCloseTo(expected.get("estimated_confusion").get(i).get(j).asDouble(), within(TOLERANCE));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void calibrationMetricsMatchScikitLearnAndTheUsualEce(Case c) {
        JsonNode expected = c.expected().get("calibration_error");
        CalibrationErrorAccumulator accumulator = new CalibrationErrorAccumulator(c.reference().calibration());
        for (int i = 0; i < c.target().size(); i++) {
            accumulator.add(c.target().labels()[i], c.target().logProbs()[i]);
        }
        CalibrationError error = accumulator.snapshot();

        assertThat(error.accuracy()).isEqualTo(expected.get("accuracy").asDouble());
        assertThat(error.meanConfidence()).isCloseTo(expected.get("mean_confidence").asDouble(), within(TOLERANCE));
        assertThat(error.ece()).isCloseTo(expected.get("ece").asDouble(), within(TOLERANCE));
        assertThat(error.brier()).isCloseTo(expected.get("brier").asDouble(), within(TOLERANCE));
        assertThat(error.brierClassMean()).isCloseTo(expected.get("brier_class_mean").asDouble(), within(TOLERANCE));
        for (int k = 0; k < 10; k++) {
            assertThat(error.brierPerClass().get(k)).as("class %d", k)
                    .isCloseTo(expected.get("brier_per_class").get(k).asDouble(), within(TOLERANCE));
        }
        for (int b = 0; b < 15; b++) {
            ReliabilityBin bin = error.reliability().get(b);
            JsonNode sk = expected.get("reliability").get(b);
            assertThat(bin.count()).as("bin %d", b).isEqualTo(sk.get("count").asLong());
            if (bin.count() == 0) {
                assertThat(bin.meanConfidence()).isNaN();
                assertThat(bin.accuracy()).isNaN();
            } else {
                assertThat(bin.meanConfidence()).isCloseTo(sk.get("mean_confidence").asDouble(), within(TOLERANCE));
                assertThat(bin.accuracy()).isCloseTo(sk.get("accuracy").asDouble(), within(TOLERANCE));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void driftChecksMatchScipy(Case c) {
        JsonNode expected = c.expected().get("drift");
        Calibration calibration = c.reference().calibration();
        DriftAccumulator accumulator = new DriftAccumulator(calibration);
        for (int i = 0; i < c.target().size(); i++) {
            accumulator.add(c.target().logProbs()[i], c.target().stats()[i]);
        }
        Drift drift = accumulator.drift(calibration);

        assertThat(drift.checks()).extracting(DriftCheck::name).containsExactlyInAnyOrderElementsOf(iterable(expected.fieldNames()));
        for (DriftCheck check : drift.checks()) {
            JsonNode sk = expected.get(check.name());
            double statistic = sk.get("statistic").asDouble();
            assertThat(check.statistic()).as(check.name()).isCloseTo(statistic, within(TOLERANCE * Math.max(1, statistic)));
            if (sk.has("p_value")) {
                assertThat(check.pValue()).as(check.name()).isCloseTo(sk.get("p_value").asDouble(),
                        within(1e-12 + 1e-10 * sk.get("p_value").asDouble()));
                assertThat(check.bound()).isCloseTo(sk.get("bound").asDouble(), within(1e-9));
            } else {
                assertThat(check.pValue()).isNaN();
                assertThat(check.bound()).isEqualTo(DriftAccumulator.DISTANCE_BOUND);
            }
            assertThat(check.over()).isEqualTo(check.statistic() > check.bound());
        }
    }

    private static List<Long> longs(JsonNode array) {
        return iterable(array.elements()).stream().map(JsonNode::asLong).toList();
    }

    private static <T> List<T> iterable(Iterator<T> items) {
        List<T> out = new ArrayList<>();
        items.forEachRemaining(out::add);
        return out;
    }
}

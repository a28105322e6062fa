package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConfidenceEstimateTest {

    /** Float32 log-probabilities of the given probabilities. */
    static float[] logProbs(double... probabilities) {
        float[] out = new float[probabilities.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) Math.log(probabilities[k]);
        }
        return out;
    }

    /**
     * Three predictions, three classes, T = 1 (probabilities unchanged):
     * <pre>
     *   p = [0.7, 0.2, 0.1] -> predicted 0, confidence 0.7, negative entropy -0.80182
     *   p = [0.3, 0.6, 0.1] -> predicted 1, confidence 0.6, negative entropy -0.89794
     *   p = [0.2, 0.4, 0.4] -> predicted 1 (the lower class of a tie), confidence 0.4, negative entropy -1.05492
     * </pre>
     */
    private static ConfidenceEstimate threePredictions(double threshold, double entropyThreshold) {
        ConfidenceEstimateAccumulator acc = new ConfidenceEstimateAccumulator(Calibrations.of(3, 1.0, threshold,
                entropyThreshold));
        acc.add(logProbs(0.7, 0.2, 0.1));
        acc.add(logProbs(0.3, 0.6, 0.1));
        acc.add(logProbs(0.2, 0.4, 0.4));
        return acc.snapshot();
    }

    @Test
    void threePredictionsByHand() {
        ConfidenceEstimate e = threePredictions(0.5, -0.85);
        assertThat(e.count()).isEqualTo(3);
        // AC = (0.7 + 0.6 + 0.4) / 3; ATC: 0.7 and 0.6 are above 0.5; ATC-NE: only -0.80182 is above -0.85.
        assertThat(e.estimatedAccuracyAc()).isCloseTo(1.7 / 3, within(1e-7));
        assertThat(e.estimatedAccuracyAtc()).isEqualTo(2.0 / 3);
        assertThat(e.estimatedAccuracyAtcNe()).isEqualTo(1.0 / 3);
        // ATC-NE is lower than AC: the estimate is ATC-NE.
        assertThat(e.estimatedAccuracy()).isEqualTo(e.estimatedAccuracyAtcNe());
        // Column j sums the probabilities of the predictions of j: [0.7, 0.2, 0.1], [0.5, 1.0, 0.5], nothing.
        double[][] expected = {{0.7, 0.5, 0}, {0.2, 1.0, 0}, {0.1, 0.5, 0}};
        for (int t = 0; t < 3; t++) {
            for (int p = 0; p < 3; p++) {
                assertThat(e.estimatedConfusion().get(t).get(p)).isCloseTo(expected[t][p], within(1e-7));
            }
        }
        // F1: 2 E_kk / (row + column): 1.4 / (1.2 + 1.0), 2.0 / (1.2 + 2.0), 0 / (0.6 + 0).
        assertThat(e.estimatedF1().get(0)).isCloseTo(1.4 / 2.2, within(1e-7));
        assertThat(e.estimatedF1().get(1)).isCloseTo(2.0 / 3.2, within(1e-7));
        assertThat(e.estimatedF1().get(2)).isZero();
        assertThat(e.estimatedF1Macro()).isCloseTo((1.4 / 2.2 + 2.0 / 3.2) / 3, within(1e-7));
    }

    @Test
    void theEstimateIsTheLowerOfAverageConfidenceAndAtcNe() {
        // Every negative entropy is above -1.09 (the lowest is -1.05492): ATC-NE = 1 > AC, so the estimate is AC.
        ConfidenceEstimate e = threePredictions(0.5, -1.09);
        assertThat(e.estimatedAccuracyAtcNe()).isEqualTo(1.0);
        assertThat(e.estimatedAccuracy()).isEqualTo(e.estimatedAccuracyAc());
        // ATC plays no part in it: a threshold no confidence passes leaves the estimate as it was.
        assertThat(threePredictions(0.9, -1.09).estimatedAccuracy()).isEqualTo(e.estimatedAccuracy());
    }

    @Test
    void theNegativeEntropyIsOfTheCalibratedProbabilities() {
        // T = 2 softens [0.7, 0.2, 0.1] to [0.52288, 0.27949, 0.19763]: negative entropy -1.01576, below -1.0;
        // at T = 1 it is -0.80182, above.
        float[] row = logProbs(0.7, 0.2, 0.1);
        ConfidenceEstimateAccumulator sharp = new ConfidenceEstimateAccumulator(Calibrations.of(3, 1.0, 0.5, -1.0));
        ConfidenceEstimateAccumulator soft = new ConfidenceEstimateAccumulator(Calibrations.of(3, 2.0, 0.5, -1.0));
        sharp.add(row);
        soft.add(row);
        assertThat(sharp.snapshot().estimatedAccuracyAtcNe()).isEqualTo(1.0);
        assertThat(soft.snapshot().estimatedAccuracyAtcNe()).isZero();
        CalibratedRow calibrated = new CalibratedRow(3, 2.0).set(row);
        double[] p = calibrated.probabilities;
        assertThat(calibrated.negativeEntropy).isCloseTo(p[0] * Math.log(p[0]) + p[1] * Math.log(p[1])
                + p[2] * Math.log(p[2]), within(1e-12)).isCloseTo(-1.01576, within(1e-5));
    }

    @Test
    void theTemperatureSoftensTheProbabilitiesButNotThePrediction() {
        // T = 2: p ∝ sqrt([0.7, 0.2, 0.1]) = [0.83666, 0.44721, 0.31623] / 1.60010, confidence 0.52288.
        ConfidenceEstimateAccumulator acc = new ConfidenceEstimateAccumulator(Calibrations.of(3, 2.0, 0.5));
        acc.add(logProbs(0.7, 0.2, 0.1));
        ConfidenceEstimate e = acc.snapshot();
        assertThat(e.estimatedAccuracyAc()).isCloseTo(Math.sqrt(0.7) / (Math.sqrt(0.7) + Math.sqrt(0.2) + Math.sqrt(0.1)),
                within(1e-7)).isCloseTo(0.52288, within(1e-5));
        assertThat(e.estimatedConfusion().get(1).get(0)).isCloseTo(0.27949, within(1e-5));
        assertThat(e.estimatedAccuracyAtc()).isEqualTo(1.0);
    }

    @Test
    void logitsGiveTheSameEstimatesAsLogProbabilities() {
        // softmax(l / T) ignores a constant added to the row, so raw logits are fine here.
        ConfidenceEstimateAccumulator fromLogits = new ConfidenceEstimateAccumulator(Calibrations.of(3, 1.5, 0.5));
        ConfidenceEstimateAccumulator fromLogProbs = new ConfidenceEstimateAccumulator(Calibrations.of(3, 1.5, 0.5));
        fromLogits.add(new float[] {2.5f, 0.5f, -1f});
        float logSum = (float) Math.log(Math.exp(2.5) + Math.exp(0.5) + Math.exp(-1));
        fromLogProbs.add(new float[] {2.5f - logSum, 0.5f - logSum, -1f - logSum});
        assertThat(fromLogits.snapshot().estimatedAccuracyAc())
                .isCloseTo(fromLogProbs.snapshot().estimatedAccuracyAc(), within(1e-6));
    }

    @Test
    void anEmptyViewHasNoEstimateAndWritesNulls() throws Exception {
        ConfidenceEstimate e = new ConfidenceEstimateAccumulator(Calibrations.of(3, 1.0, 0.5)).snapshot();
        assertThat(e.count()).isZero();
        assertThat(e.estimatedAccuracy()).isNaN();
        assertThat(e.estimatedF1Macro()).isNaN();
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(e));
        assertThat(json.get(MonitoringFields.ESTIMATED_ACCURACY).isNull()).isTrue();
        assertThat(new ObjectMapper().readValue(json.toString(), ConfidenceEstimate.class).estimatedAccuracy()).isNaN();
    }

    @Test
    void theJsonNamesAreTheApis() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ConfidenceEstimate e = threePredictions(0.5, -0.85);
        JsonNode json = mapper.readTree(mapper.writeValueAsString(e));
        assertThat(iterable(json.fieldNames())).containsExactly("count", "estimated_accuracy", "estimated_accuracy_ac",
                "estimated_accuracy_atc", "estimated_accuracy_atc_ne", "estimated_f1_macro", "estimated_f1",
                "estimated_confusion");
        assertThat(mapper.readValue(json.toString(), ConfidenceEstimate.class)).isEqualTo(e);
    }

    @Test
    void rejectsBadPredictionsAndChangesNothing() {
        ConfidenceEstimateAccumulator acc = new ConfidenceEstimateAccumulator(Calibrations.of(3, 1.0, 0.5));
        acc.add(logProbs(0.7, 0.2, 0.1));
        byte[] before = acc.toBytes();
        assertThatThrownBy(() -> acc.add(new float[] {Float.NaN, -1f, -1f})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class 0 is NaN");
        assertThatThrownBy(() -> acc.add(new float[] {-1f, -1f})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 3");
        float inf = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> acc.add(new float[] {inf, inf, inf})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every log-probability is -Infinity");
        assertThat(acc.toBytes()).isEqualTo(before);
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }
}

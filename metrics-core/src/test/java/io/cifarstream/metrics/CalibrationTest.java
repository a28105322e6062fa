package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cifarstream.metrics.ConfidenceEstimateTest.logProbs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibrationTest {

    /**
     * Two classes, every record's log-probabilities [ln σ(4), ln σ(-4)] (logits +2 and -2), right 80% of the time.
     * The NLL is minimal where the calibrated confidence σ(4 / T) equals the share right, 0.8:
     * T = 4 / logit(0.8) = 4 / ln 4 = 2.8853900817779268.
     */
    @Test
    void theTemperatureOfAKnownCaseIsFourOverLnFour() {
        float[] row = {(float) -Math.log1p(Math.exp(-4)), (float) -Math.log1p(Math.exp(4))};
        ReferenceSet reference = new ReferenceSet(2);
        for (int i = 0; i < 100; i++) {
            reference.add(i < 80 ? 0 : 1, row);
        }
        Calibration calibration = reference.calibration();
        // The float32 log-probabilities differ from ±2 - ln(1 + e^4) by at most 2^-24 relative.
        assertThat(calibration.temperature()).isCloseTo(4 / Math.log(4), within(1e-5));
        assertThat(calibration.referenceAccuracy()).isEqualTo(0.8);
        // Every confidence is σ(ln 4) = 0.8; 80 are right, so t is the 81st largest: 0.8, and none is above it (a tie).
        assertThat(calibration.atcThreshold()).isCloseTo(0.8, within(1e-6));
        assertThat(calibration.predictedClassCounts()).containsExactly(100L, 0L);
        assertThat(calibration.referenceLogLoss()).isCloseTo(-(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2)), within(1e-6));
    }

    @Test
    void theAtcThresholdLeavesTheReferenceAccuracyAboveIt() {
        // Three of four right: t is the fourth largest calibrated confidence, and three are above it.
        ReferenceSet reference = new ReferenceSet(3);
        reference.add(0, logProbs(0.9, 0.05, 0.05));
        reference.add(1, logProbs(0.1, 0.8, 0.1));
        reference.add(2, logProbs(0.2, 0.1, 0.7));
        reference.add(0, logProbs(0.2, 0.6, 0.2));
        Calibration calibration = reference.calibration();
        ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(calibration);
        for (float[] row : List.of(logProbs(0.9, 0.05, 0.05), logProbs(0.1, 0.8, 0.1), logProbs(0.2, 0.1, 0.7),
                logProbs(0.2, 0.6, 0.2))) {
            estimates.add(row);
        }
        // On the reference itself ATC gives back the reference accuracy, with either score.
        assertThat(estimates.snapshot().estimatedAccuracyAtc()).isEqualTo(calibration.referenceAccuracy()).isEqualTo(0.75);
        assertThat(estimates.snapshot().estimatedAccuracyAtcNe()).isEqualTo(0.75);
    }

    @Test
    void whenEveryReferencePredictionIsRightTheThresholdIsZero() {
        ReferenceSet reference = new ReferenceSet(2);
        reference.add(0, logProbs(0.6, 0.4));
        reference.add(1, logProbs(0.3, 0.7));
        Calibration calibration = reference.calibration();
        assertThat(calibration.atcThreshold()).isZero();
        assertThat(calibration.atcEntropyThreshold()).isEqualTo(-Math.log(2));
        // Right and unsure: the NLL falls as T falls, to the bound.
        assertThat(calibration.temperature()).isEqualTo(TemperatureScaling.MIN_TEMPERATURE);
    }

    @Test
    void aModelRightByChanceIsFlattenedToTheUpperBound() {
        ReferenceSet reference = new ReferenceSet(2);
        for (int i = 0; i < 10; i++) {
            reference.add(i % 2, logProbs(0.9, 0.1));
        }
        assertThat(reference.calibration().temperature()).isEqualTo(TemperatureScaling.MAX_TEMPERATURE);
    }

    @Test
    void imageStatisticsAreHistogrammedPerChannel() {
        ReferenceSet reference = new ReferenceSet(2);
        reference.add(0, logProbs(0.6, 0.4), new float[] {0.5f, 0.02f, 1f, 0.1f, 0.3f, 0f, 0.06f, 0.61f});
        reference.add(1, logProbs(0.3, 0.7));
        Calibration calibration = reference.calibration();
        assertThat(calibration.imageCount()).isEqualTo(1);
        // 0.5 is the upper edge of bin 9 of 20; 0.02 is in bin 0; 1.0 in the last bin.
        assertThat(calibration.channelMeanHistograms().get(0).get(9)).isEqualTo(1);
        assertThat(calibration.channelMeanHistograms().get(1).get(0)).isEqualTo(1);
        assertThat(calibration.channelMeanHistograms().get(2).get(19)).isEqualTo(1);
        // Standard deviations in bins of 0.025: 0.1 is the upper edge of bin 3 (float32 0.1 is a little above).
        assertThat(calibration.channelStdHistograms().get(0).get(4)).isEqualTo(1);
        assertThat(calibration.channelStdHistograms().get(2).get(0)).isEqualTo(1);
        // Chroma in bins of 0.025 from 0: 0.06 in bin 2; detail in bins of 0.03 from 0.4: 0.61 in bin 7.
        assertThat(calibration.chromaHistogram().get(2)).isEqualTo(1);
        assertThat(calibration.detailHistogram().get(7)).isEqualTo(1);
        assertThat(calibration.detailHistogram().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
    }

    @Test
    void theJsonRoundTripsWithItsNames() throws Exception {
        Calibration calibration = PredictionRecords.read("monitoring-synthetic-records.bin").slice(0, 3000).calibration();
        String json = calibration.toJson();
        assertThat(Calibration.fromJson(json)).isEqualTo(calibration);
        JsonNode node = new ObjectMapper().readTree(json);
        assertThat(node.get("version").asInt()).isEqualTo(3);
        assertThat(node.get("temperature").asDouble()).isEqualTo(calibration.temperature());
        assertThat(node.get("atc_threshold").asDouble()).isEqualTo(calibration.atcThreshold());
        assertThat(node.get("atc_entropy_threshold").asDouble()).isEqualTo(calibration.atcEntropyThreshold());
        assertThat(node.get("channel_std_histograms")).hasSize(3);
        assertThat(node.get("detail_histogram")).hasSize(HistogramBins.DETAIL.count());
    }

    @Test
    void aCalibrationThatDoesNotAddUpIsRejected() {
        Calibration valid = Calibrations.of(3, 1.0, 0.5);
        String json = valid.toJson();
        assertThatThrownBy(() -> Calibration.fromJson(json.replace("\"version\" : 3", "\"version\" : 2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2")
                .hasMessageContaining("cifar-stream calibrate");
        assertThatThrownBy(() -> Calibration.fromJson(json.replace("\"reference_count\" : 3", "\"reference_count\" : 4")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("summing to 4");
        assertThatThrownBy(() -> Calibrations.of(3, 0, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Calibrations.of(3, 1, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Calibrations.of(3, 1, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative entropy");
        assertThatThrownBy(() -> Calibrations.of(3, 1, 0.5, -1.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[-ln 3, 0]");
        assertThatThrownBy(() -> new ReferenceSet(3).calibration()).isInstanceOf(IllegalStateException.class);
    }
}

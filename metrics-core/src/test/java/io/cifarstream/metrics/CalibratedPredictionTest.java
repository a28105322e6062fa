package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A prediction calibrated once and handed to several accumulators counts exactly as its log-probabilities would:
 * the same bytes in every accumulator; one calibrated at another temperature is refused and changes nothing.
 */
class CalibratedPredictionTest {

    private static final Calibration CALIBRATION = Calibrations.of(10, 1.7, 0.45);

    @Test
    void countingACalibratedPredictionEqualsCountingItsLogProbabilities() {
        Random random = new Random(23);
        ConfidenceEstimateAccumulator estimatesFromLogProbs = new ConfidenceEstimateAccumulator(CALIBRATION);
        ConfidenceEstimateAccumulator estimatesCalibrated = new ConfidenceEstimateAccumulator(CALIBRATION);
        DriftAccumulator driftFromLogProbs = new DriftAccumulator(CALIBRATION);
        DriftAccumulator driftCalibrated = new DriftAccumulator(CALIBRATION);
        CalibrationErrorAccumulator errorFromLogProbs = new CalibrationErrorAccumulator(CALIBRATION);
        CalibrationErrorAccumulator errorCalibrated = new CalibrationErrorAccumulator(CALIBRATION);
        for (int i = 0; i < 2_000; i++) {
            float[] logProbs = ClassificationAccumulatorTest.randomLogProbs(random, 10);
            int label = random.nextInt(10);
            float[] stats = i % 3 == 0 ? null : randomStatistics(random);
            CalibratedPrediction calibrated = CalibratedPrediction.of(CALIBRATION, logProbs);
            assertThat(calibrated.predicted()).isEqualTo(ClassifiedRecord.of(10, label, logProbs).predicted());

            estimatesFromLogProbs.add(logProbs);
            estimatesCalibrated.add(calibrated);
            driftFromLogProbs.add(logProbs, stats);
            driftCalibrated.add(calibrated, stats);
            errorFromLogProbs.add(label, logProbs);
            errorCalibrated.add(label, calibrated);
        }
        assertThat(estimatesCalibrated.toBytes()).isEqualTo(estimatesFromLogProbs.toBytes());
        assertThat(driftCalibrated.toBytes()).isEqualTo(driftFromLogProbs.toBytes());
        assertThat(errorCalibrated.toBytes()).isEqualTo(errorFromLogProbs.toBytes());
        assertThat(estimatesCalibrated.count()).isEqualTo(2_000);
    }

    /** Image statistics spread over their bins (as AccumulatorLawsTest draws them). */
    private static float[] randomStatistics(Random random) {
        float[] stats = new float[ImageStatistics.LENGTH];
        for (int s = 0; s < stats.length; s++) {
            stats[s] = (float) (s < ImageStatistics.CHANNELS ? random.nextDouble() : s == ImageStatistics.DETAIL
                    ? 0.3 + 0.8 * random.nextDouble() : random.nextDouble() / 2);
        }
        return stats;
    }

    @Test
    void aPredictionCalibratedAtAnotherTemperatureIsRefusedAndChangesNothing() {
        float[] logProbs = ClassificationAccumulatorTest.randomLogProbs(new Random(3), 10);
        CalibratedPrediction other = CalibratedPrediction.of(Calibrations.of(10, 1.5, 0.45), logProbs);
        ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(CALIBRATION);
        DriftAccumulator drift = new DriftAccumulator(CALIBRATION);
        CalibrationErrorAccumulator error = new CalibrationErrorAccumulator(CALIBRATION);
        byte[] emptyEstimates = estimates.toBytes();
        byte[] emptyDrift = drift.toBytes();
        byte[] emptyError = error.toBytes();

        assertThatThrownBy(() -> estimates.add(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature 1.5");
        assertThatThrownBy(() -> drift.add(other, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> error.add(3, other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> error.add(10, CalibratedPrediction.of(CALIBRATION, logProbs)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 10");
        assertThat(estimates.toBytes()).isEqualTo(emptyEstimates);
        assertThat(drift.toBytes()).isEqualTo(emptyDrift);
        assertThat(error.toBytes()).isEqualTo(emptyError);
    }
}

package io.cifarstream.evaluate;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationError;
import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.Drift;
import io.cifarstream.metrics.DriftAccumulator;
import io.cifarstream.metrics.MonitoringFields;
import io.cifarstream.schemas.CifarShape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the live metrics say of a model without labels, computed over an evaluation's images with the same
 * metrics-core accumulators and the model's reference {@link Calibration}: the label-free accuracy and F1
 * estimates, and the drift checks of its predictions and of the images' statistics against the
 * reference; and, the images being labelled, how well calibrated the model is on them (ECE, Brier), which is
 * what decides whether the estimates can be right.
 *
 * @param calibration      the model's reference
 * @param estimate         the label-free estimates (no label read)
 * @param calibrationError ECE, Brier and the reliability bins at the reference's temperature
 * @param drift            the drift checks against the reference
 */
public record MonitoringFigures(Calibration calibration, ConfidenceEstimate estimate,
        CalibrationError calibrationError, Drift drift) {

    /** Computes the figures of every image of {@code evaluation}. */
    public static MonitoringFigures of(Evaluation evaluation, Calibration calibration) {
        ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(calibration);
        CalibrationErrorAccumulator errors = new CalibrationErrorAccumulator(calibration);
        DriftAccumulator drift = new DriftAccumulator(calibration);
        float[] row = new float[CifarShape.CLASSES];
        float[] stats = new float[ImageStatistics.LENGTH];
        byte[] pixels = evaluation.images().pixels();
        for (int i = 0; i < evaluation.images().size(); i++) {
            System.arraycopy(evaluation.logProbs(), i * CifarShape.CLASSES, row, 0, CifarShape.CLASSES);
            ImageStatistics.compute(pixels, i * CifarShape.PIXELS, CifarShape.SIDE, CifarShape.SIDE, stats);
            estimates.add(row);
            errors.add(evaluation.images().label(i), row);
            drift.add(row, stats);
        }
        return new MonitoringFigures(calibration, estimates.snapshot(), errors.snapshot(), drift.drift(calibration));
    }

    /**
     * The figures under their JSON names ({@link MonitoringFields}), in the order {@code evaluate --json} writes
     * them: the estimates, ECE and Brier, the temperature, and the drift checks as one object per check.
     */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(MonitoringFields.ESTIMATED_ACCURACY, estimate.estimatedAccuracy());
        fields.put(MonitoringFields.ESTIMATED_ACCURACY_AC, estimate.estimatedAccuracyAc());
        fields.put(MonitoringFields.ESTIMATED_ACCURACY_ATC, estimate.estimatedAccuracyAtc());
        fields.put(MonitoringFields.ESTIMATED_ACCURACY_ATC_NE, estimate.estimatedAccuracyAtcNe());
        fields.put(MonitoringFields.ESTIMATED_F1_MACRO, estimate.estimatedF1Macro());
        fields.put(MonitoringFields.ECE, calibrationError.ece());
        fields.put(MonitoringFields.BRIER, calibrationError.brier());
        fields.put(MonitoringFields.TEMPERATURE, calibration.temperature());
        fields.put(MonitoringFields.DRIFT, drift);
        return fields;
    }
}

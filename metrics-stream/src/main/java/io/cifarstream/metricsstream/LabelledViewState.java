package io.cifarstream.metricsstream;

import io.cifarstream.metrics.CalibratedPrediction;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metrics.ClassifiedRecord;
import io.cifarstream.schemas.CifarShape;

/**
 * One labelled view's state: the classification metrics of every labelled prediction in it, and the calibration
 * metrics (ECE, Brier, reliability) of those the model's reference covers, under that reference's temperature
 * (null while the model has none). Not thread-safe.
 */
final class LabelledViewState {

    /** A labelled prediction as the labelled views count it: classified once for every state it enters. */
    record Counted(ClassifiedRecord classified, LabelledPrediction prediction) {
        static Counted of(LabelledPrediction prediction) {
            return new Counted(ClassifiedRecord.of(CifarShape.CLASSES, prediction.label(), prediction.logProbsUnsafe()),
                    prediction);
        }
    }

    private final ClassificationAccumulator classification;
    private CalibrationErrorAccumulator calibration;

    LabelledViewState(ClassificationAccumulator classification, CalibrationErrorAccumulator calibration) {
        this.classification = classification;
        this.calibration = calibration;
    }

    /** An empty state; calibration metrics under {@code reference}, none when it is null. */
    static LabelledViewState empty(int rocCellLimit, Calibration reference) {
        return new LabelledViewState(new ClassificationAccumulator(CifarShape.CLASSES, rocCellLimit),
                reference == null ? null : new CalibrationErrorAccumulator(reference));
    }

    /**
     * Counts a record; in the calibration metrics too when {@code calibrated}, the record calibrated by the reference,
     * is not null (its version has the reference).
     */
    void add(Counted record, CalibratedPrediction calibrated) {
        classification.add(record.classified());
        if (calibrated != null && calibration != null) {
            calibration.add(record.prediction().label(), calibrated);
        }
    }

    void merge(LabelledViewState other) {
        classification.merge(other.classification);
        if (calibration != null && other.calibration != null) {
            calibration.merge(other.calibration);
        }
    }

    /** Starts the calibration metrics afresh under {@code reference} (none when null); the classification stays. */
    void recalibrate(Calibration reference) {
        calibration = reference == null ? null : new CalibrationErrorAccumulator(reference);
    }

    ClassificationAccumulator classification() {
        return classification;
    }

    /** Null while the model has no reference. */
    CalibrationErrorAccumulator calibration() {
        return calibration;
    }
}

package io.cifarstream.metrics;

/**
 * One prediction's temperature-scaled probabilities under a calibration ({@link CalibratedRow} gives the
 * definitions), computed once for every accumulator it enters: a stream counts each prediction in several views
 * (cumulative, a window pane, the current window) and in several accumulators (estimates, drift, calibration
 * metrics), and the exps of the softmax are most of what each of them would otherwise compute again. An
 * accumulator given one gets the bits its own calibration of the same log-probabilities would give. Immutable.
 */
public final class CalibratedPrediction {

    /** Set once in {@link #of} and only read after. */
    private final CalibratedRow row;

    private CalibratedPrediction(CalibratedRow row) {
        this.row = row;
    }

    /**
     * Calibrates a prediction's log-probabilities by {@code calibration}'s temperature.
     *
     * @throws IllegalArgumentException for a wrong length, a NaN or +Infinity, or a row of -Infinity
     */
    public static CalibratedPrediction of(Calibration calibration, float[] logProbs) {
        return new CalibratedPrediction(new CalibratedRow(calibration.numClasses(), calibration.temperature())
                .set(logProbs));
    }

    /** The arg-max of the log-probabilities, the lowest class on a tie. */
    public int predicted() {
        return row.predicted;
    }

    /** The calibrated probability of the predicted class. */
    public double confidence() {
        return row.confidence;
    }

    /**
     * The calibrated row, for an accumulator calibrated with {@code key}.
     *
     * @throws IllegalArgumentException if this prediction was calibrated with another class count or temperature
     */
    CalibratedRow rowFor(CalibrationKey key) {
        if (row.probabilities.length != key.numClasses()
                || Double.doubleToLongBits(row.temperature) != Double.doubleToLongBits(key.temperature())) {
            throw new IllegalArgumentException("a prediction calibrated for " + row.probabilities.length
                    + " classes at temperature " + row.temperature + " cannot enter a state of " + key);
        }
        return row;
    }
}

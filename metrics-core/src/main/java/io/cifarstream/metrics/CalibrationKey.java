package io.cifarstream.metrics;

import java.nio.ByteBuffer;

/**
 * What fixes how an accumulator turns a prediction into calibrated numbers: the class count, the
 * temperature and the two ATC thresholds. States are only comparable (mergeable) under the same key, bit for
 * bit, so every accumulator stores it in its bytes and checks it on merge.
 */
record CalibrationKey(int numClasses, double temperature, double atcThreshold, double atcEntropyThreshold) {

    static final int SIZE_BYTES = 4 + 8 + 8 + 8;

    static CalibrationKey of(Calibration calibration) {
        return new CalibrationKey(calibration.numClasses(), calibration.temperature(), calibration.atcThreshold(),
                calibration.atcEntropyThreshold());
    }

    CalibratedRow newRow() {
        return new CalibratedRow(numClasses, temperature);
    }

    void requireSame(CalibrationKey other, String what) {
        if (!equals(other)) {
            throw new IllegalArgumentException("cannot " + what + " a state of " + other + " with one of " + this
                    + ": states under different calibrations do not mix");
        }
    }

    void write(ByteBuffer out) {
        out.putInt(numClasses);
        out.putDouble(temperature);
        out.putDouble(atcThreshold);
        out.putDouble(atcEntropyThreshold);
    }

    static CalibrationKey read(ByteBuffer in) {
        int numClasses = in.getInt();
        double temperature = in.getDouble();
        double threshold = in.getDouble();
        double entropyThreshold = in.getDouble();
        if (numClasses < 2 || !(temperature > 0 && temperature < Double.POSITIVE_INFINITY)
                || !(threshold >= 0 && threshold <= 1) || !Calibration.isNegativeEntropy(entropyThreshold, numClasses)) {
            throw new IllegalArgumentException("not a calibration: " + numClasses + " classes, temperature "
                    + temperature + ", thresholds " + threshold + " and " + entropyThreshold);
        }
        return new CalibrationKey(numClasses, temperature, threshold, entropyThreshold);
    }

    @Override
    public String toString() {
        return numClasses + " classes, temperature " + temperature + ", ATC thresholds " + atcThreshold + " (confidence)"
                + " and " + atcEntropyThreshold + " (negative entropy)";
    }
}

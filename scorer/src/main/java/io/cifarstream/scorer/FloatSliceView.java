package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import java.util.AbstractList;
import java.util.RandomAccess;

import io.cifarstream.inference.OnnxClassifier;

/**
 * The ten log-probabilities of one image, read in place from a model's reused output array, so a reused
 * {@code Prediction} can carry them without a new list per record (Avro's {@code array<float>} is a
 * {@code List<Float>}). Moved to the next image with {@link #show}.
 */
final class LogProbabilityView extends AbstractList<Float> implements RandomAccess {

    private float[] values = new float[CifarShape.CLASSES];
    private int offset;

    /** From now on the view shows {@code values[offset .. offset+9]}. */
    void show(float[] values, int offset) {
        this.values = values;
        this.offset = offset;
    }

    @Override
    public Float get(int index) {
        return values[offset + java.util.Objects.checkIndex(index, CifarShape.CLASSES)];
    }

    @Override
    public int size() {
        return CifarShape.CLASSES;
    }

    /** The arg max, or -1 when a value is NaN (a model that produced NaN has no prediction). */
    int argMax() {
        int best = 0;
        for (int k = 0; k < CifarShape.CLASSES; k++) {
            float v = values[offset + k];
            if (Float.isNaN(v)) {
                return -1;
            }
            if (v > values[offset + best]) {
                best = k;
            }
        }
        return best;
    }
}

package io.cifarstream.scorer;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A fixed-size slice of a reused float array, read in place as Avro's {@code array<float>} (a {@code List<Float>}),
 * so a reused {@code Prediction} can carry an image's log-probabilities or channel statistics without a new list
 * or array per record. Moved to the next image with {@link #show}.
 */
final class FloatSliceView extends AbstractList<Float> implements RandomAccess {

    private final int size;
    private float[] values;
    private int offset;

    FloatSliceView(int size) {
        this.size = size;
        this.values = new float[size];
    }

    /** From now on the view shows {@code values[offset .. offset+size-1]}. */
    void show(float[] values, int offset) {
        this.values = values;
        this.offset = offset;
    }

    @Override
    public Float get(int index) {
        return values[offset + Objects.checkIndex(index, size)];
    }

    @Override
    public int size() {
        return size;
    }

    /** The index of the largest value (the first on a tie), or -1 when a value is NaN. */
    int argMax() {
        int best = 0;
        for (int k = 0; k < size; k++) {
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

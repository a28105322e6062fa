package io.cifarstream.metricsstream;

import io.cifarstream.metrics.CalibratedPrediction;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.DriftAccumulator;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One label-free view's state under a model's reference: the estimates ({@link ConfidenceEstimateAccumulator}) and
 * the drift counts ({@link DriftAccumulator}) of every prediction in it; no label is read. Adding allocates nothing.
 * Not thread-safe.
 */
final class EstimateViewState {

    private final ConfidenceEstimateAccumulator estimates;
    private final DriftAccumulator drift;

    private EstimateViewState(ConfidenceEstimateAccumulator estimates, DriftAccumulator drift) {
        this.estimates = estimates;
        this.drift = drift;
    }

    static EstimateViewState empty(Calibration reference) {
        return new EstimateViewState(new ConfidenceEstimateAccumulator(reference), new DriftAccumulator(reference));
    }

    /** Counts a prediction, {@code calibrated} by this state's reference (the estimates and drift read that). */
    void add(ScoredPrediction prediction, CalibratedPrediction calibrated) {
        estimates.add(calibrated);
        drift.add(calibrated, prediction.imageStatistics());
    }

    void merge(EstimateViewState other) {
        estimates.merge(other.estimates);
        drift.merge(other.drift);
    }

    ConfidenceEstimateAccumulator estimates() {
        return estimates;
    }

    DriftAccumulator drift() {
        return drift;
    }

    /** The estimates' bytes after their length (4 bytes), then the drift counts' bytes. */
    byte[] toBytes() {
        byte[] first = estimates.toBytes();
        byte[] second = drift.toBytes();
        return ByteBuffer.allocate(4 + first.length + second.length).putInt(first.length).put(first).put(second).array();
    }

    /** @throws IllegalArgumentException for bytes {@link #toBytes()} did not write */
    static EstimateViewState fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int length = in.getInt();
        if (length < 0 || length > bytes.length - 4) {
            throw new IllegalArgumentException("not an estimate view state: " + length + " bytes of estimates in " + bytes.length);
        }
        return new EstimateViewState(ConfidenceEstimateAccumulator.fromBytes(Arrays.copyOfRange(bytes, 4, 4 + length)),
                DriftAccumulator.fromBytes(Arrays.copyOfRange(bytes, 4 + length, bytes.length)));
    }
}

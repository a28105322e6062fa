package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ImageStatistics;
import org.apache.kafka.common.errors.SerializationException;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A prediction as the join first sees it, label or not: what the label-free views (estimates, drift) count, and,
 * when its label is already there, the labelled views too. Validated before it exists ({@link PredictionCheck}).
 * The arrays are copied in and handed out as they are, for the aggregation's allocation-free path: read them, never
 * write them.
 *
 * @param imageStatistics the image's {@link ImageStatistics} (its layout: means, deviations, chroma, detail), or
 *                        null when the scorer sent none or not all of them
 * @param label           the true class, or {@link #NO_LABEL} when it is not known yet
 */
public record ScoredPrediction(String modelId, String imageId, String modelVersion, float[] logProbs,
        float[] imageStatistics, int label, long eventTime) implements ModelEvent {

    public static final int NO_LABEL = -1;
    static final byte FORMAT = 3;

    public ScoredPrediction {
        EventFields.requireIds(modelId, imageId, modelVersion);
        logProbs = logProbs.clone();
        imageStatistics = imageStatistics == null ? null : imageStatistics.clone();
    }

    /** Whether the label came with the prediction (inline, or waiting for it in the join). */
    public boolean labelled() {
        return label != NO_LABEL;
    }

    /** The labelled record of this prediction. @throws IllegalStateException without a label */
    public LabelledPrediction withLabel() {
        if (!labelled()) {
            throw new IllegalStateException("prediction of " + imageId + " has no label yet");
        }
        return new LabelledPrediction(modelId, imageId, modelVersion, label, logProbs, eventTime);
    }

    /** Equal when the byte forms are: same ids, version, label, event time, and float bits. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ScoredPrediction other && Arrays.equals(toBytes(), other.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return "ScoredPrediction[model=" + modelId + ", image=" + imageId + ", version=" + modelVersion + ", label="
                + label + ", eventTime=" + eventTime + ", logProbs=" + Arrays.toString(logProbs) + ", imageStatistics="
                + Arrays.toString(imageStatistics) + "]";
    }

    /**
     * Format {@value #FORMAT}, label (1 byte, -1 for none), event time, the log-probabilities, the image statistics
     * (a length of 0 for none), then model id, image id and model version.
     */
    @Override
    public byte[] toBytes() {
        byte[][] ids = EventFields.utf8(modelId, imageId, modelVersion);
        float[] stats = imageStatistics == null ? new float[0] : imageStatistics;
        ByteBuffer buffer = ByteBuffer.allocate(1 + 1 + 8 + EventFields.floatsBytes(logProbs)
                + EventFields.floatsBytes(stats) + EventFields.stringsBytes(ids));
        buffer.put(FORMAT).put((byte) label).putLong(eventTime);
        EventFields.putFloats(buffer, logProbs);
        EventFields.putFloats(buffer, stats);
        EventFields.putStrings(buffer, ids);
        return buffer.array();
    }

    /** @throws SerializationException for bytes {@link #toBytes()} did not write */
    public static ScoredPrediction fromBytes(byte[] bytes) {
        return EventFields.read(bytes, "ScoredPrediction", FORMAT, buffer -> {
            int label = buffer.get();
            long eventTime = buffer.getLong();
            float[] logProbs = EventFields.getFloats(buffer);
            float[] stats = EventFields.getFloats(buffer);
            String model = EventFields.getString(buffer);
            String image = EventFields.getString(buffer);
            String version = EventFields.getString(buffer);
            return new ScoredPrediction(model, image, version, logProbs, stats.length == 0 ? null : stats, label,
                    eventTime);
        });
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ChannelStatistics;
import org.apache.kafka.common.errors.SerializationException;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A prediction as the join first sees it, label or not: what the label-free views (estimates, drift) count, and,
 * when its label is already there, the labelled views too. Validated before it exists ({@link PredictionCheck}).
 *
 * @param imageStatistics the image's {@link ChannelStatistics} ({@code [mean R, G, B, std R, G, B]}), or null when
 *                        the scorer sent none
 * @param label           the true class, or {@link #NO_LABEL} when it is not known yet
 */
public record ScoredPrediction(String modelId, String imageId, String modelVersion, float[] logProbs,
        float[] imageStatistics, int label, long eventTime) implements ModelEvent {

    public static final int NO_LABEL = -1;
    static final byte FORMAT = 3;

    public ScoredPrediction {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(modelVersion, "modelVersion");
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

    @Override
    public float[] logProbs() {
        return logProbs.clone();
    }

    @Override
    public float[] imageStatistics() {
        return imageStatistics == null ? null : imageStatistics.clone();
    }

    /** Without defensive copies, for the aggregation's hot path (never modified there). */
    float[] logProbsUnsafe() {
        return logProbs;
    }

    float[] imageStatisticsUnsafe() {
        return imageStatistics;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoredPrediction other && modelId.equals(other.modelId) && imageId.equals(other.imageId)
                && modelVersion.equals(other.modelVersion) && label == other.label && eventTime == other.eventTime
                && Arrays.equals(logProbs, other.logProbs) && Arrays.equals(imageStatistics, other.imageStatistics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, imageId, modelVersion, label, eventTime, Arrays.hashCode(logProbs),
                Arrays.hashCode(imageStatistics));
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
        byte[] model = EventFields.utf8(modelId);
        byte[] image = EventFields.utf8(imageId);
        byte[] version = EventFields.utf8(modelVersion);
        float[] stats = imageStatistics == null ? new float[0] : imageStatistics;
        ByteBuffer buffer = ByteBuffer.allocate(1 + 1 + 8 + EventFields.floatsBytes(logProbs)
                + EventFields.floatsBytes(stats) + EventFields.stringBytes(model) + EventFields.stringBytes(image)
                + EventFields.stringBytes(version));
        buffer.put(FORMAT).put((byte) label).putLong(eventTime);
        EventFields.putFloats(buffer, logProbs);
        EventFields.putFloats(buffer, stats);
        EventFields.putString(buffer, model);
        EventFields.putString(buffer, image);
        EventFields.putString(buffer, version);
        return buffer.array();
    }

    /** @throws SerializationException for bytes {@link #toBytes()} did not write */
    public static ScoredPrediction fromBytes(byte[] bytes) {
        return EventFields.read(bytes, "ScoredPrediction", buffer -> {
            if (buffer.get() != FORMAT) {
                throw new SerializationException("unknown ScoredPrediction format " + bytes[0]);
            }
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

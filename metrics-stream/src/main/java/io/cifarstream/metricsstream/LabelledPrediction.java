package io.cifarstream.metricsstream;

import org.apache.kafka.common.errors.SerializationException;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A prediction joined with its true class: what the labelled views count. Validated before it exists (see
 * {@link PredictionCheck}), so the accumulators accept it. Its byte form (for the repartition topic and the
 * journal) is compact: label, event time, the log-probabilities as float32 bits, then the ids and the model
 * version (format {@value #FORMAT}; format {@value #FORMAT_V1}, without the version, is still read, as version "").
 *
 * @param modelVersion the version that scored it: calibration metrics count it only under that version's reference
 */
public record LabelledPrediction(String modelId, String imageId, String modelVersion, int label, float[] logProbs,
        long eventTime) implements ModelEvent {

    static final byte FORMAT_V1 = 1;
    static final byte FORMAT = 2;

    public LabelledPrediction {
        EventFields.requireIds(modelId, imageId, modelVersion);
        logProbs = logProbs.clone();
    }

    @Override
    public float[] logProbs() {
        return logProbs.clone();
    }

    /** The log-probabilities without a defensive copy, for the aggregation's hot path (never modified there). */
    float[] logProbsUnsafe() {
        return logProbs;
    }

    /** Equal ids, version, label, event time and log-probability bits. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledPrediction other && modelId.equals(other.modelId) && imageId.equals(other.imageId)
                && modelVersion.equals(other.modelVersion) && label == other.label && eventTime == other.eventTime
                && Arrays.equals(logProbs, other.logProbs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, imageId, modelVersion, label, eventTime, Arrays.hashCode(logProbs));
    }

    @Override
    public String toString() {
        return "LabelledPrediction[model=" + modelId + ", image=" + imageId + ", version=" + modelVersion + ", label="
                + label + ", eventTime=" + eventTime + ", logProbs=" + Arrays.toString(logProbs) + "]";
    }

    @Override
    public byte[] toBytes() {
        byte[][] ids = EventFields.utf8(modelId, imageId, modelVersion);
        ByteBuffer buffer = ByteBuffer.allocate(1 + 1 + 8 + EventFields.floatsBytes(logProbs) + EventFields.stringsBytes(ids));
        buffer.put(FORMAT).put((byte) label).putLong(eventTime);
        EventFields.putFloats(buffer, logProbs);
        EventFields.putStrings(buffer, ids);
        return buffer.array();
    }

    /** @throws SerializationException for bytes {@link #toBytes()} did not write */
    public static LabelledPrediction fromBytes(byte[] bytes) {
        return EventFields.read(bytes, "LabelledPrediction", buffer -> {
            byte format = buffer.get();
            if (format != FORMAT && format != FORMAT_V1) {
                throw new SerializationException("unknown LabelledPrediction format " + format);
            }
            int label = buffer.get();
            long eventTime = buffer.getLong();
            float[] logProbs = EventFields.getFloats(buffer);
            String model = EventFields.getString(buffer);
            String image = EventFields.getString(buffer);
            String version = format == FORMAT ? EventFields.getString(buffer) : "";
            return new LabelledPrediction(model, image, version, label, logProbs, eventTime);
        });
    }
}

package io.cifarstream.metricsstream;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A prediction joined with its true class: what the aggregation counts. Validated before it exists (see
 * {@link PredictionCheck}), so the accumulators accept it. Its byte form (for the repartition topic and the
 * journal) is compact: label, event time, the log-probabilities as float32 bits, then the two ids.
 */
public record LabelledPrediction(String modelId, String imageId, int label, float[] logProbs, long eventTime) {

    private static final byte FORMAT = 1;

    public LabelledPrediction {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(imageId, "imageId");
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

    /** Equal ids, label, event time and log-probability bits. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledPrediction other && modelId.equals(other.modelId) && imageId.equals(other.imageId)
                && label == other.label && eventTime == other.eventTime && Arrays.equals(logProbs, other.logProbs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, imageId, label, eventTime, Arrays.hashCode(logProbs));
    }

    @Override
    public String toString() {
        return "LabelledPrediction[model=" + modelId + ", image=" + imageId + ", label=" + label + ", eventTime="
                + eventTime + ", logProbs=" + Arrays.toString(logProbs) + "]";
    }

    public byte[] toBytes() {
        byte[] model = modelId.getBytes(StandardCharsets.UTF_8);
        byte[] image = imageId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(1 + 1 + 8 + 1 + 4 * logProbs.length + 4 + model.length + 4 + image.length);
        buffer.put(FORMAT).put((byte) label).putLong(eventTime).put((byte) logProbs.length);
        for (float value : logProbs) {
            buffer.putFloat(value);
        }
        buffer.putInt(model.length).put(model).putInt(image.length).put(image);
        return buffer.array();
    }

    /** @throws SerializationException for bytes {@link #toBytes()} did not write */
    public static LabelledPrediction fromBytes(byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (buffer.get() != FORMAT) {
                throw new SerializationException("unknown LabelledPrediction format " + bytes[0]);
            }
            int label = buffer.get();
            long eventTime = buffer.getLong();
            float[] logProbs = new float[buffer.get()];
            for (int k = 0; k < logProbs.length; k++) {
                logProbs[k] = buffer.getFloat();
            }
            byte[] model = new byte[buffer.getInt()];
            buffer.get(model);
            byte[] image = new byte[buffer.getInt()];
            buffer.get(image);
            return new LabelledPrediction(new String(model, StandardCharsets.UTF_8),
                    new String(image, StandardCharsets.UTF_8), label, logProbs, eventTime);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new SerializationException("truncated LabelledPrediction of " + bytes.length + " bytes", e);
        }
    }

    /** The serde of the repartition topic between the label join and the aggregation. */
    public static Serde<LabelledPrediction> serde() {
        Serializer<LabelledPrediction> serializer = (topic, value) -> value == null ? null : value.toBytes();
        Deserializer<LabelledPrediction> deserializer = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }
}

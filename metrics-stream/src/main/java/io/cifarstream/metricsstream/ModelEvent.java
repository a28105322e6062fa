package io.cifarstream.metricsstream;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What reaches a model's aggregation, keyed by model id on the {@code labelled-by-model} repartition topic, in the
 * order the aggregation must see it: a prediction when it is first seen ({@link ScoredPrediction}, its label inside
 * if it was already known), a label that came later for one ({@link LabelledPrediction}), or the model's reference
 * changing ({@link ReferenceUpdate}). Each byte form starts with a format byte of its own, so one serde reads all.
 */
public sealed interface ModelEvent permits ScoredPrediction, LabelledPrediction, ReferenceUpdate {

    String modelId();

    byte[] toBytes();

    /** @throws SerializationException for bytes no event wrote */
    static ModelEvent fromBytes(byte[] bytes) {
        if (bytes.length == 0) {
            throw new SerializationException("an empty model event");
        }
        return switch (bytes[0]) {
            case LabelledPrediction.FORMAT_V1, LabelledPrediction.FORMAT -> LabelledPrediction.fromBytes(bytes);
            case ScoredPrediction.FORMAT -> ScoredPrediction.fromBytes(bytes);
            case ReferenceUpdate.FORMAT -> ReferenceUpdate.fromBytes(bytes);
            default -> throw new SerializationException("unknown model event format " + bytes[0]);
        };
    }

    /** The serde of the repartition topic between the edge (join, reference intake) and the aggregation. */
    static Serde<ModelEvent> serde() {
        Serializer<ModelEvent> serializer = (topic, value) -> value == null ? null : value.toBytes();
        Deserializer<ModelEvent> deserializer = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import org.apache.kafka.common.errors.SerializationException;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A model's reference as read from the references topic: the {@link Calibration} made for one model version, which
 * the label-free estimates, the calibration metrics and the drift checks of that version's predictions use; or its
 * withdrawal (a tombstone on the compacted topic: {@code calibration} null).
 *
 * @param modelVersion  the version the calibration was made with ("" for a withdrawal)
 * @param source        where it came from, for people (the reference file's path)
 * @param publishedTime when the scorer published it, epoch ms
 */
public record ReferenceUpdate(String modelId, String modelVersion, Calibration calibration, String source,
        long publishedTime) implements ModelEvent {

    static final byte FORMAT = 4;

    public ReferenceUpdate {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(source, "source");
    }

    /** The withdrawal of {@code modelId}'s reference. */
    static ReferenceUpdate withdrawn(String modelId, long time) {
        return new ReferenceUpdate(modelId, "", null, "", time);
    }

    boolean isWithdrawal() {
        return calibration == null;
    }

    /** Whether this reference applies to predictions of {@code version}. */
    boolean covers(String version) {
        return calibration != null && modelVersion.equals(version);
    }

    /** Format {@value #FORMAT}, published time, then model id, version, source and the calibration's JSON ("" when withdrawn). */
    @Override
    public byte[] toBytes() {
        byte[][] fields = EventFields.utf8(modelId, modelVersion, source,
                calibration == null ? "" : calibration.toJson());
        ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + EventFields.stringsBytes(fields));
        buffer.put(FORMAT).putLong(publishedTime);
        EventFields.putStrings(buffer, fields);
        return buffer.array();
    }

    /** @throws SerializationException for bytes {@link #toBytes()} did not write */
    public static ReferenceUpdate fromBytes(byte[] bytes) {
        return EventFields.read(bytes, "ReferenceUpdate", FORMAT, buffer -> {
            long published = buffer.getLong();
            String model = EventFields.getString(buffer);
            String version = EventFields.getString(buffer);
            String source = EventFields.getString(buffer);
            String json = EventFields.getString(buffer);
            return new ReferenceUpdate(model, version, json.isEmpty() ? null : Calibration.fromJson(json), source,
                    published);
        });
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.RecordDecodeException;
import io.cifarstream.schemas.Rejection;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;

/**
 * Reads the references topic (compacted, keyed by model id): each {@link ModelReference} becomes a
 * {@link ReferenceUpdate} for its model's aggregation, a tombstone the withdrawal of the model's reference, and a
 * record that cannot be used a dead letter ({@link DeadLetterKind#BAD_REFERENCE} when its calibration cannot be read
 * or is not for the 10 CIFAR-10 classes). Stateless: the aggregation keeps each model's reference.
 */
final class ReferenceIntake implements Processor<byte[], byte[], byte[], JoinOutcome> {

    private final Deserializer<ModelReference> references = AvroSerde.modelReferences().deserializer();
    private final StreamCounters counters;
    private ProcessorContext<byte[], JoinOutcome> context;

    ReferenceIntake(StreamCounters counters) {
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<byte[], JoinOutcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        if (record.key() == null) {
            reject(record, source, new Rejection(DeadLetterKind.MISSING_KEY, "a reference record without a key: key each"
                    + " reference by its model id (UTF-8); the topic is compacted by it"));
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            context.forward(record.withValue(new JoinOutcome.ForModel(ReferenceUpdate.withdrawn(key, record.timestamp()))));
            return;
        }
        ModelReference reference;
        try {
            reference = references.deserialize(source.topic(), record.value());
        } catch (RecordDecodeException e) {
            reject(record, source, new Rejection(e.kind(), e.getMessage()));
            return;
        }
        if (reference.getModelId().isEmpty()) {
            reject(record, source, new Rejection(DeadLetterKind.MISSING_ID, "reference without model_id: set it to the"
                    + " id the model's predictions carry"));
            return;
        }
        if (!key.equals(reference.getModelId())) {
            reject(record, source, new Rejection(DeadLetterKind.KEY_MISMATCH, "the key '" + key + "' differs from model_id '"
                    + reference.getModelId() + "': key each reference by its model id, or compaction keeps the wrong one"));
            return;
        }
        Calibration calibration;
        try {
            calibration = Calibration.fromJson(reference.getCalibrationJson());
        } catch (IllegalArgumentException e) {
            reject(record, source, new Rejection(DeadLetterKind.BAD_REFERENCE, "the reference of model "
                    + reference.getModelId() + " from " + reference.getSource() + " is no calibration this version reads ("
                    + e.getMessage() + "): make it again with this version's calibrate"));
            return;
        }
        if (calibration.numClasses() != CifarShape.CLASSES) {
            reject(record, source, new Rejection(DeadLetterKind.BAD_REFERENCE, "the reference of model "
                    + reference.getModelId() + " is for " + calibration.numClasses() + " classes, not the "
                    + CifarShape.CLASSES + " of CIFAR-10"));
            return;
        }
        counters.increment(StreamCounters.Event.REFERENCE_READ);
        context.forward(record.withValue(new JoinOutcome.ForModel(new ReferenceUpdate(reference.getModelId(),
                reference.getModelVersion(), calibration, reference.getSource(), reference.getPublishedTime().toEpochMilli()))));
    }

    private void reject(Record<byte[], byte[]> record, RecordMetadata source, Rejection rejection) {
        counters.deadLetter(rejection.kind());
        context.forward(record.withValue(JoinOutcome.Rejected.of(rejection, record, source, context.currentSystemTimeMs())));
    }
}

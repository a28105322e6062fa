package io.cifarstream.metricsstream;

import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.schemas.CifarShape;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layout of the models' entries in {@link MetricsTopology#CHECKPOINTS_STORE}, written and read here. A key is the
 * model id's length (4 bytes) and UTF-8 bytes, a tag, and for some tags a pane start (8 bytes) or a rule name:
 * <ul>
 *   <li>labelled views: {@code 'M'} the last sequence number included and the stream time (8 + 8 bytes),
 *       {@code 'C'} the cumulative {@link ClassificationAccumulator}, {@code 'P'}+start a pane's, {@code 'K'} the
 *       cumulative {@link CalibrationErrorAccumulator}, {@code 'B'}+start a pane's (while there is a reference);</li>
 *   <li>{@code 'R'} the reference: the first labelled sequence number its calibration metrics count and the first
 *       estimated one (8 + 8 bytes), then the {@link ReferenceUpdate}'s bytes (a withdrawal when there is none);</li>
 *   <li>estimates: {@code 'E'} the last sequence number included and the stream time, {@code 'F'} the cumulative
 *       {@link EstimateViewState}, {@code 'G'}+start a pane's;</li>
 *   <li>{@code 'A'}+rule name: an alert rule's {@link AlertRuleState}, written whenever it changes.</li>
 * </ul>
 * A reference change rewrites every entry of the model (see {@link ViewAggregator}), so the journals after a
 * checkpoint never hold one.
 */
final class ModelCheckpoints {

    private static final byte META = 'M';
    private static final byte CUMULATIVE = 'C';
    private static final byte PANE = 'P';
    private static final byte CALIBRATION = 'K';
    private static final byte CALIBRATION_PANE = 'B';
    private static final byte REFERENCE = 'R';
    private static final byte ESTIMATE_META = 'E';
    private static final byte ESTIMATE_CUMULATIVE = 'F';
    private static final byte ESTIMATE_PANE = 'G';
    private static final byte ALERT = 'A';
    /** What a reference change starts afresh. */
    private static final Set<Byte> MONITORING = Set.of(CALIBRATION, CALIBRATION_PANE, ESTIMATE_META,
            ESTIMATE_CUMULATIVE, ESTIMATE_PANE);

    private final KeyValueStore<Bytes, byte[]> store;
    private final MetricsConfig config;

    ModelCheckpoints(KeyValueStore<Bytes, byte[]> store, MetricsConfig config) {
        this.store = store;
        this.config = config;
    }

    // ---- writing -----------------------------------------------------------------------------------

    /** Writes what changed in the model's labelled views and the sequence number the checkpoint includes. */
    void writeLabelled(byte[] id, EventTimeViews<?, LabelledViewState> views, EventTimeViews.Changes changes) {
        if (changes.cumulative()) {
            LabelledViewState cumulative = views.cumulative();
            store.put(key(id, CUMULATIVE), cumulative.classification().toBytes());
            if (cumulative.calibration() != null) {
                store.put(key(id, CALIBRATION), cumulative.calibration().toBytes());
            }
        }
        for (long start : changes.panes()) {
            LabelledViewState pane = views.pane(start);
            store.put(key(id, PANE, start), pane.classification().toBytes());
            if (pane.calibration() != null) {
                store.put(key(id, CALIBRATION_PANE, start), pane.calibration().toBytes());
            }
        }
        for (long start : changes.droppedPanes()) {
            store.delete(key(id, PANE, start));
            store.delete(key(id, CALIBRATION_PANE, start));
        }
        store.put(key(id, META), meta(views.nextSeq() - 1, views.streamTime()));
    }

    /** Writes what changed in the model's estimates and the sequence number the checkpoint includes. */
    void writeEstimates(byte[] id, ModelViews model, EventTimeViews.Changes changes) {
        EventTimeViews<ScoredPrediction, EstimateViewState> views = model.estimates();
        if (views == null && model.nextEstimateSeq() == 0) {
            return; // never estimated: nothing to include
        }
        if (views != null) {
            if (changes.cumulative()) {
                store.put(key(id, ESTIMATE_CUMULATIVE), views.cumulative().toBytes());
            }
            for (long start : changes.panes()) {
                store.put(key(id, ESTIMATE_PANE, start), views.pane(start).toBytes());
            }
            for (long start : changes.droppedPanes()) {
                store.delete(key(id, ESTIMATE_PANE, start));
            }
        }
        store.put(key(id, ESTIMATE_META), meta(model.nextEstimateSeq() - 1,
                views == null ? Long.MIN_VALUE : views.streamTime()));
    }

    /** Deletes the calibration metrics and estimates of a model and writes its reference: they start afresh. */
    void writeReference(byte[] id, ModelViews model) {
        List<Bytes> stale = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(prefix(id)), Serdes.Bytes().serializer())) {
            while (it.hasNext()) {
                Bytes key = it.next().key;
                if (MONITORING.contains(key.get()[4 + id.length])) {
                    stale.add(key);
                }
            }
        }
        stale.forEach(store::delete);
        ReferenceUpdate reference = model.reference() != null ? model.reference()
                : ReferenceUpdate.withdrawn(new String(id, StandardCharsets.UTF_8), 0);
        byte[] update = reference.toBytes();
        store.put(key(id, REFERENCE), ByteBuffer.allocate(16 + update.length).putLong(model.calibratedFrom())
                .putLong(model.estimatedFrom()).put(update).array());
    }

    void writeAlert(byte[] id, String rule, AlertRuleState state) {
        store.put(key(id, ALERT, rule), state.toBytes());
    }

    private static byte[] meta(long included, long streamTime) {
        return ByteBuffer.allocate(16).putLong(included).putLong(streamTime).array();
    }

    // ---- reading -----------------------------------------------------------------------------------

    /** A model's checkpoint as read back, entry by entry (empty: none). */
    final class Stored {
        /** The last labelled sequence number it includes (-1: none). */
        long labelledSeq = -1;
        long labelledStreamTime = Long.MIN_VALUE;
        ClassificationAccumulator cumulative;
        CalibrationErrorAccumulator cumulativeCalibration;
        final Map<Long, ClassificationAccumulator> panes = new HashMap<>();
        final Map<Long, CalibrationErrorAccumulator> paneCalibrations = new HashMap<>();
        ReferenceUpdate reference;
        long calibratedFrom;
        long estimatedFrom;
        /** The last estimated sequence number it includes (-1: none). */
        long estimateSeq = -1;
        long estimateStreamTime = Long.MIN_VALUE;
        EstimateViewState estimateCumulative;
        final Map<Long, EstimateViewState> estimatePanes = new HashMap<>();
        final Map<String, AlertRuleState> alerts = new HashMap<>();

        /** The model's views as the checkpoint has them, before the journals after it are replayed. */
        ModelViews views() {
            ClassificationAccumulator classification = cumulative != null ? cumulative
                    : new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit());
            Map<Long, LabelledViewState> labelledPanes = new HashMap<>();
            panes.forEach((start, pane) -> labelledPanes.put(start, labelled(pane, paneCalibrations.get(start))));
            return new ModelViews(config, labelled(classification, cumulativeCalibration), labelledPanes,
                    labelledStreamTime, labelledSeq + 1, reference, calibratedFrom, estimatedFrom, estimateCumulative,
                    estimatePanes, estimateStreamTime, estimateSeq + 1);
        }

        /** A labelled state: calibrated under the reference, empty if the checkpoint held none yet. */
        private LabelledViewState labelled(ClassificationAccumulator classification,
                CalibrationErrorAccumulator calibration) {
            return new LabelledViewState(classification, calibration != null || reference == null ? calibration
                    : new CalibrationErrorAccumulator(reference.calibration()));
        }

        private void read(byte tag, ByteBuffer key, byte[] value, String model) {
            switch (tag) {
                case META -> {
                    labelledSeq = ByteBuffer.wrap(value).getLong(0);
                    labelledStreamTime = ByteBuffer.wrap(value).getLong(8);
                }
                case CUMULATIVE -> cumulative = ClassificationAccumulator.fromBytes(value);
                case PANE -> panes.put(key.getLong(), ClassificationAccumulator.fromBytes(value));
                case CALIBRATION -> cumulativeCalibration = CalibrationErrorAccumulator.fromBytes(value);
                case CALIBRATION_PANE -> paneCalibrations.put(key.getLong(), CalibrationErrorAccumulator.fromBytes(value));
                case REFERENCE -> {
                    ByteBuffer in = ByteBuffer.wrap(value);
                    calibratedFrom = in.getLong();
                    estimatedFrom = in.getLong();
                    ReferenceUpdate update = ReferenceUpdate.fromBytes(Arrays.copyOfRange(value, 16, value.length));
                    reference = update.isWithdrawal() ? null : update;
                }
                case ESTIMATE_META -> {
                    estimateSeq = ByteBuffer.wrap(value).getLong(0);
                    estimateStreamTime = ByteBuffer.wrap(value).getLong(8);
                }
                case ESTIMATE_CUMULATIVE -> estimateCumulative = EstimateViewState.fromBytes(value);
                case ESTIMATE_PANE -> estimatePanes.put(key.getLong(), EstimateViewState.fromBytes(value));
                case ALERT -> {
                    byte[] rule = new byte[key.remaining()];
                    key.get(rule);
                    alerts.put(new String(rule, StandardCharsets.UTF_8), AlertRuleState.fromBytes(value));
                }
                default -> throw new IllegalStateException("unknown checkpoint entry '" + (char) tag + "' of model "
                        + model + ": the state was written by another version; reset the application");
            }
        }
    }

    /** Every model's checkpoint, by model id. */
    Map<String, Stored> readAll() {
        Map<String, Stored> stored = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                ByteBuffer key = ByteBuffer.wrap(entry.key.get());
                String model = JournalBlock.modelOf(key);
                stored.computeIfAbsent(model, m -> new Stored()).read(key.get(), key, entry.value, model);
            }
        }
        return stored;
    }

    /** An empty checkpoint: a model seen first. */
    Stored none() {
        return new Stored();
    }

    // ---- keys --------------------------------------------------------------------------------------

    private static byte[] prefix(byte[] id) {
        return ByteBuffer.allocate(4 + id.length).putInt(id.length).put(id).array();
    }

    private static Bytes key(byte[] id, byte tag) {
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 1).putInt(id.length).put(id).put(tag).array());
    }

    private static Bytes key(byte[] id, byte tag, long paneStart) {
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 1 + 8).putInt(id.length).put(id).put(tag).putLong(paneStart)
                .array());
    }

    private static Bytes key(byte[] id, byte tag, String rule) {
        byte[] name = rule.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 1 + name.length).putInt(id.length).put(id).put(tag).put(name)
                .array());
    }
}

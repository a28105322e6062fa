package io.cifarstream.metricsstream;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregates labelled predictions per model id into the cumulative, window and last-N views
 * ({@link ModelViews}), emits {@link MetricsSnapshot}s, and keeps the latest report of each view in
 * {@link MetricsTopology#REPORTS_STORE} for the HTTP API.
 *
 * <h2>State: a journal and checkpoints, not a rewrite per record</h2>
 * An accumulator grows to megabytes (up to ~4 MB serialized at the default ROC limit), so writing it to a
 * changelogged store per record would cost megabytes of changelog per record. Instead:
 * <ul>
 *   <li>every record is appended to {@link MetricsTopology#JOURNAL_STORE}, about 80 bytes, in the same
 *       transaction as its input offset, into the {@link JournalBlock} of its model and sequence number: one
 *       entry per {@value JournalBlock#RECORDS} records, so the changelog gets a block per commit, not a record
 *       per prediction;</li>
 *   <li>at a punctuation (every {@code emitInterval}, when the snapshots go out) once a model has counted
 *       {@code checkpointRecords} records since its last checkpoint, or {@value #CHECKPOINT_MAX_INTERVALS}
 *       intervals have passed, the views that changed since (the cumulative accumulator and the window
 *       panes, see {@link ModelViews}) are written to {@link MetricsTopology#CHECKPOINTS_STORE} with the
 *       sequence number they include, and journal blocks that hold nothing newer than the checkpoint nor
 *       among the last N are deleted.</li>
 * </ul>
 * A checkpoint costs time in proportion to the state (up to a million ROC cells per accumulator), a record a
 * few microseconds, so checkpointing per record count keeps the cost per record bounded, while a restart
 * replays at most {@code checkpointRecords} records.
 * So the changelogs always hold, atomically with the committed input offsets, a checkpoint plus the journal
 * after it. On (re)start {@link #init} loads the checkpoints and replays the newer journal entries, without
 * emitting (their outputs were committed with them), and refills the last-N ring from the journal. Nothing
 * is counted twice or lost, with exactly_once_v2; the per-record cost is one small store write. State bytes
 * per (model, view) are the checkpoint's size, which stops growing once every ROC sketch reaches its cell
 * limit.
 *
 * <h2>Emission</h2>
 * Per model at most one snapshot per view per {@code emitInterval}: cumulative, last-N and the current window
 * ({@link ModelViews#currentWindow()}), each only if it changed; plus one final snapshot per window when it
 * closes (event time past its end + grace). Output key: the model id.
 */
final class ViewAggregator implements Processor<String, LabelledPrediction, String, MetricsSnapshot> {

    private static final byte META = 'M';
    private static final byte CUMULATIVE = 'C';
    private static final byte PANE = 'P';
    /** A model with changes is checkpointed at least every this many emit intervals. */
    private static final int CHECKPOINT_MAX_INTERVALS = 30;

    /** One model's views and the bookkeeping of its journal and checkpoints. Not thread-safe. */
    private static final class ModelState {
        final String modelId;
        /** The model id in UTF-8, as its store keys hold it. */
        final byte[] modelIdUtf8;
        final ModelViews views;
        /** The journal block being filled. */
        final JournalBlock openBlock = new JournalBlock();
        /** The oldest journal block still in the journal. */
        long journalStart;
        /** The last sequence number in its checkpoint (-1: none). */
        long checkpointedSeq;
        /** What changed since its last checkpoint (null: nothing), and how many punctuations ago that was. */
        ModelViews.Changes uncheckpointed;
        int intervalsSinceCheckpoint;

        ModelState(String modelId, ModelViews views, long journalStart, long checkpointedSeq) {
            this.modelId = modelId;
            this.modelIdUtf8 = modelId.getBytes(StandardCharsets.UTF_8);
            this.views = views;
            this.journalStart = journalStart;
            this.checkpointedSeq = checkpointedSeq;
        }
    }

    /** A model's checkpoint as read back from {@link MetricsTopology#CHECKPOINTS_STORE}, entry by entry (empty: none). */
    private static final class StoredCheckpoint {
        /** The last sequence number it includes (-1: none). */
        long seq = -1;
        long streamTime = Long.MIN_VALUE;
        /** Null: none stored. */
        ClassificationAccumulator cumulative;
        final Map<Long, ClassificationAccumulator> panes = new HashMap<>();
    }

    private final MetricsConfig config;
    private final StreamCounters counters;
    /** By model id, in id order: the order of each punctuation's snapshots. */
    private final Map<String, ModelState> models = new TreeMap<>();
    private ProcessorContext<String, MetricsSnapshot> context;
    private KeyValueStore<Bytes, byte[]> journal;
    private KeyValueStore<Bytes, byte[]> checkpoints;
    private KeyValueStore<String, String> reports;

    ViewAggregator(MetricsConfig config, StreamCounters counters) {
        this.config = config;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, MetricsSnapshot> context) {
        this.context = context;
        this.journal = context.getStateStore(MetricsTopology.JOURNAL_STORE);
        this.checkpoints = context.getStateStore(MetricsTopology.CHECKPOINTS_STORE);
        this.reports = context.getStateStore(MetricsTopology.REPORTS_STORE);
        restore();
        context.schedule(config.emitInterval(), PunctuationType.WALL_CLOCK_TIME, now -> checkpointAndEmit());
    }

    @Override
    public void process(Record<String, LabelledPrediction> record) {
        LabelledPrediction prediction = record.value();
        ModelState model = models.get(prediction.modelId());
        if (model == null) {
            model = new ModelState(prediction.modelId(), new ModelViews(config), 0, -1);
            models.put(model.modelId, model);
        }
        ModelViews.Added added = model.views.add(prediction);
        byte[] block = model.openBlock.append(added.seq(), prediction.toBytes());
        journal.put(journalKey(model.modelIdUtf8, JournalBlock.blockOf(added.seq())), block);
        for (int i = 0; i < added.lateWindows(); i++) {
            counters.increment(StreamCounters.Event.LATE_FOR_WINDOW);
        }
        for (ModelViews.Window closed : added.closed()) {
            emit(new ViewReport(prediction.modelId(), MetricsView.WINDOW, closed.start(), closed.end(),
                    context.currentSystemTimeMs(), closed.accumulator().snapshot()), false);
        }
    }

    /** The wall-clock punctuation: checkpoint what changed, trim the journal, emit snapshots. */
    private void checkpointAndEmit() {
        long now = context.currentSystemTimeMs();
        for (ModelState model : models.values()) {
            ModelViews views = model.views;
            ModelViews.Changes changes = views.takeChanges();
            if (!changes.any()) {
                continue;
            }
            maybeCheckpoint(model, changes);
            if (changes.cumulative()) {
                emit(new ViewReport(model.modelId, MetricsView.CUMULATIVE, null, null, now,
                        views.cumulative().snapshot()), true);
            }
            if (changes.lastN()) {
                emit(new ViewReport(model.modelId, MetricsView.LAST_N, null, null, now, views.lastN().snapshot()), true);
            }
            if (views.currentWindowChanged(changes.panes())) {
                ModelViews.Window current = views.currentWindow();
                emit(new ViewReport(model.modelId, MetricsView.WINDOW, current.start(), current.end(), now,
                        current.accumulator().snapshot()), true);
            }
        }
    }

    private void emit(ViewReport report, boolean current) {
        context.forward(new Record<>(report.modelId(), report.toSnapshot(), report.emittedTime()));
        if (current) {
            reports.put(MetricsTopology.reportKey(report.modelId(), report.view()), report.toJson());
        }
    }

    /** Adds {@code changes} to what the model's next checkpoint must write, and writes it when due. */
    private void maybeCheckpoint(ModelState model, ModelViews.Changes changes) {
        model.uncheckpointed = model.uncheckpointed == null ? changes : model.uncheckpointed.then(changes);
        model.intervalsSinceCheckpoint++;
        long records = model.views.nextSeq() - 1 - model.checkpointedSeq;
        if (records >= config.checkpointRecords() || model.intervalsSinceCheckpoint >= CHECKPOINT_MAX_INTERVALS) {
            checkpoint(model, model.uncheckpointed);
            model.uncheckpointed = null;
            model.intervalsSinceCheckpoint = 0;
        }
    }

    private void checkpoint(ModelState model, ModelViews.Changes changes) {
        ModelViews views = model.views;
        byte[] id = model.modelIdUtf8;
        if (changes.cumulative()) {
            checkpoints.put(checkpointKey(id, CUMULATIVE, 0), views.cumulative().toBytes());
        }
        for (long start : changes.panes()) {
            checkpoints.put(checkpointKey(id, PANE, start), views.pane(start).toBytes());
        }
        for (long start : changes.droppedPanes()) {
            checkpoints.delete(checkpointKey(id, PANE, start));
        }
        long included = views.nextSeq() - 1;
        model.checkpointedSeq = included;
        checkpoints.put(checkpointKey(id, META, 0),
                ByteBuffer.allocate(16).putLong(included).putLong(views.streamTime()).array());
        // Keep what a restore replays (after the checkpoint) and what refills the last-N ring: every block that
        // holds a record from keepFrom on.
        long keepFrom = Math.max(0, Math.min(included + 1, views.nextSeq() - config.lastN()));
        long from = model.journalStart;
        long keepBlock = JournalBlock.blockOf(keepFrom);
        for (long block = from; block < keepBlock; block++) {
            journal.delete(journalKey(id, block));
        }
        model.journalStart = Math.max(from, keepBlock);
    }

    /** Rebuilds every model's views from the checkpoints and the journal after them. */
    private void restore() {
        Map<String, StoredCheckpoint> stored = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = checkpoints.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                ByteBuffer key = ByteBuffer.wrap(entry.key.get());
                String model = model(key);
                StoredCheckpoint checkpoint = stored.computeIfAbsent(model, m -> new StoredCheckpoint());
                byte tag = key.get();
                switch (tag) {
                    case META -> {
                        ByteBuffer value = ByteBuffer.wrap(entry.value);
                        checkpoint.seq = value.getLong();
                        checkpoint.streamTime = value.getLong();
                    }
                    case CUMULATIVE -> checkpoint.cumulative = ClassificationAccumulator.fromBytes(entry.value);
                    case PANE -> checkpoint.panes.put(key.getLong(), ClassificationAccumulator.fromBytes(entry.value));
                    default -> throw new IllegalStateException("unknown checkpoint entry '" + (char) tag + "' of model "
                            + model + ": the state was written by another version; reset the application");
                }
            }
        }
        Map<String, List<LabelledPrediction>> replay = new HashMap<>();
        // Blocks come in key order: per model, ascending block numbers.
        try (KeyValueIterator<Bytes, byte[]> it = journal.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                ByteBuffer key = ByteBuffer.wrap(entry.key.get());
                String model = model(key);
                long block = key.getLong();
                List<LabelledPrediction> records = JournalBlock.records(entry.value);
                ModelState state = models.get(model);
                if (state == null) {
                    state = restored(model, stored.computeIfAbsent(model, m -> new StoredCheckpoint()), block);
                    models.put(model, state);
                }
                long included = state.checkpointedSeq;
                long seq = block * JournalBlock.RECORDS;
                for (LabelledPrediction record : records) {
                    if (seq++ <= included) {
                        state.views.refillRing(record);
                    } else {
                        replay.computeIfAbsent(model, m -> new ArrayList<>()).add(record);
                    }
                }
                if (records.size() < JournalBlock.RECORDS) {
                    // Only a model's last block can be partly filled: the next record continues it.
                    state.openBlock.resume(block, entry.value);
                }
            }
        }
        replay.forEach((model, records) -> records.forEach(models.get(model).views::add));
        models.values().forEach(state -> {
            state.views.takeChanges();
            state.views.markAllChanged();
        });
    }

    /** A model's state from its checkpoint, before the journal after it is replayed. */
    private ModelState restored(String model, StoredCheckpoint checkpoint, long firstBlock) {
        ClassificationAccumulator cumulative = checkpoint.cumulative != null ? checkpoint.cumulative
                : new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit());
        ModelViews views = new ModelViews(config, cumulative, checkpoint.panes, checkpoint.streamTime, checkpoint.seq + 1);
        return new ModelState(model, views, firstBlock, checkpoint.seq);
    }

    private static String model(ByteBuffer key) {
        byte[] model = new byte[key.getInt()];
        key.get(model);
        return new String(model, StandardCharsets.UTF_8);
    }

    private static Bytes journalKey(byte[] id, long block) {
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 8).putInt(id.length).put(id).putLong(block).array());
    }

    private static Bytes checkpointKey(byte[] id, byte tag, long paneStart) {
        ByteBuffer key = ByteBuffer.allocate(4 + id.length + 1 + (tag == PANE ? 8 : 0)).putInt(id.length).put(id).put(tag);
        if (tag == PANE) {
            key.putLong(paneStart);
        }
        return Bytes.wrap(key.array());
    }
}

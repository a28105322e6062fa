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

    private final MetricsConfig config;
    private final StreamCounters counters;
    private final Map<String, ModelViews> models = new TreeMap<>();
    /** Per model, the oldest journal block still in the journal. */
    private final Map<String, Long> journalStart = new HashMap<>();
    /** Per model, the journal block being filled. */
    private final Map<String, JournalBlock> openBlocks = new HashMap<>();
    /** Per model, what changed since its last checkpoint, and how many punctuations ago that was. */
    private final Map<String, ModelViews.Changes> uncheckpointed = new HashMap<>();
    private final Map<String, Integer> intervalsSinceCheckpoint = new HashMap<>();
    /** Per model, the last sequence number in its checkpoint (-1: none). */
    private final Map<String, Long> checkpointedSeq = new HashMap<>();
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
        ModelViews views = models.computeIfAbsent(prediction.modelId(), model -> {
            journalStart.put(model, 0L);
            return new ModelViews(config);
        });
        ModelViews.Added added = views.add(prediction);
        byte[] block = openBlocks.computeIfAbsent(prediction.modelId(), model -> new JournalBlock())
                .append(added.seq(), prediction.toBytes());
        journal.put(journalKey(prediction.modelId(), JournalBlock.blockOf(added.seq())), block);
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
        for (Map.Entry<String, ModelViews> entry : models.entrySet()) {
            String model = entry.getKey();
            ModelViews views = entry.getValue();
            ModelViews.Changes changes = views.takeChanges();
            if (!changes.any()) {
                continue;
            }
            maybeCheckpoint(model, views, changes);
            if (changes.cumulative()) {
                emit(new ViewReport(model, MetricsView.CUMULATIVE, null, null, now, views.cumulative().snapshot()), true);
            }
            if (changes.lastN()) {
                emit(new ViewReport(model, MetricsView.LAST_N, null, null, now, views.lastN().snapshot()), true);
            }
            if (views.currentWindowChanged(changes.panes())) {
                ModelViews.Window current = views.currentWindow();
                emit(new ViewReport(model, MetricsView.WINDOW, current.start(), current.end(), now,
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
    private void maybeCheckpoint(String model, ModelViews views, ModelViews.Changes changes) {
        ModelViews.Changes pending = uncheckpointed.merge(model, changes, ModelViews.Changes::then);
        int intervals = intervalsSinceCheckpoint.merge(model, 1, Integer::sum);
        long records = views.nextSeq() - 1 - checkpointedSeq.getOrDefault(model, -1L);
        if (records >= config.checkpointRecords() || intervals >= CHECKPOINT_MAX_INTERVALS) {
            checkpoint(model, views, pending);
            uncheckpointed.remove(model);
            intervalsSinceCheckpoint.remove(model);
        }
    }

    private void checkpoint(String model, ModelViews views, ModelViews.Changes changes) {
        if (changes.cumulative()) {
            checkpoints.put(checkpointKey(model, CUMULATIVE, 0), views.cumulative().toBytes());
        }
        for (long start : changes.panes()) {
            checkpoints.put(checkpointKey(model, PANE, start), views.pane(start).toBytes());
        }
        for (long start : changes.droppedPanes()) {
            checkpoints.delete(checkpointKey(model, PANE, start));
        }
        long included = views.nextSeq() - 1;
        checkpointedSeq.put(model, included);
        checkpoints.put(checkpointKey(model, META, 0),
                ByteBuffer.allocate(16).putLong(included).putLong(views.streamTime()).array());
        // Keep what a restore replays (after the checkpoint) and what refills the last-N ring: every block that
        // holds a record from keepFrom on.
        long keepFrom = Math.max(0, Math.min(included + 1, views.nextSeq() - config.lastN()));
        long from = journalStart.getOrDefault(model, 0L);
        long keepBlock = JournalBlock.blockOf(keepFrom);
        for (long block = from; block < keepBlock; block++) {
            journal.delete(journalKey(model, block));
        }
        journalStart.put(model, Math.max(from, keepBlock));
    }

    /** Rebuilds every model's views from the checkpoints and the journal after them. */
    private void restore() {
        Map<String, Long> checkpointSeq = new HashMap<>();
        Map<String, Long> streamTimes = new HashMap<>();
        Map<String, ClassificationAccumulator> cumulative = new HashMap<>();
        Map<String, Map<Long, ClassificationAccumulator>> panes = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = checkpoints.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                ByteBuffer key = ByteBuffer.wrap(entry.key.get());
                String model = model(key);
                byte tag = key.get();
                switch (tag) {
                    case META -> {
                        ByteBuffer value = ByteBuffer.wrap(entry.value);
                        checkpointSeq.put(model, value.getLong());
                        streamTimes.put(model, value.getLong());
                    }
                    case CUMULATIVE -> cumulative.put(model, ClassificationAccumulator.fromBytes(entry.value));
                    case PANE -> panes.computeIfAbsent(model, m -> new HashMap<>())
                            .put(key.getLong(), ClassificationAccumulator.fromBytes(entry.value));
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
                long included = checkpointSeq.getOrDefault(model, -1L);
                ModelViews views = models.computeIfAbsent(model, m -> {
                    journalStart.put(m, block);
                    return new ModelViews(config,
                            cumulative.getOrDefault(m, new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit())),
                            panes.getOrDefault(m, Map.of()), streamTimes.getOrDefault(m, Long.MIN_VALUE), included + 1);
                });
                long seq = block * JournalBlock.RECORDS;
                for (LabelledPrediction record : records) {
                    if (seq++ <= included) {
                        views.refillRing(record);
                    } else {
                        replay.computeIfAbsent(model, m -> new ArrayList<>()).add(record);
                    }
                }
                if (records.size() < JournalBlock.RECORDS) {
                    // Only a model's last block can be partly filled: the next record continues it.
                    openBlocks.computeIfAbsent(model, m -> new JournalBlock()).resume(block, entry.value);
                }
            }
        }
        replay.forEach((model, records) -> records.forEach(models.get(model)::add));
        checkpointedSeq.putAll(checkpointSeq);
        models.values().forEach(views -> {
            views.takeChanges();
            views.markAllChanged();
        });
    }

    private static String model(ByteBuffer key) {
        byte[] model = new byte[key.getInt()];
        key.get(model);
        return new String(model, StandardCharsets.UTF_8);
    }

    private static Bytes journalKey(String model, long block) {
        byte[] id = model.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 8).putInt(id.length).put(id).putLong(block).array());
    }

    private static Bytes checkpointKey(String model, byte tag, long paneStart) {
        byte[] id = model.getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.allocate(4 + id.length + 1 + (tag == PANE ? 8 : 0)).putInt(id.length).put(id).put(tag);
        if (tag == PANE) {
            key.putLong(paneStart);
        }
        return Bytes.wrap(key.array());
    }
}

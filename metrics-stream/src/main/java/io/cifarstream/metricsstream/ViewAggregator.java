package io.cifarstream.metricsstream;

import io.cifarstream.schemas.Alert;
import io.cifarstream.schemas.AlertState;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import org.apache.avro.specific.SpecificRecord;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Aggregates each model's events ({@link ModelEvent}) into its views ({@link ModelViews}: labelled, and, under the
 * model's reference, estimates and drift), emits {@link MetricsSnapshot}s, keeps the latest report of each view in
 * {@link MetricsTopology#REPORTS_STORE} for the HTTP API, and evaluates the alert rules, emitting an {@link Alert}
 * whenever one fires or resolves.
 *
 * <h2>State: journals and checkpoints, not a rewrite per record</h2>
 * An accumulator grows to megabytes (up to ~4 MB serialized at the default ROC limit), so writing it to a
 * changelogged store per record would cost megabytes of changelog per record. Instead:
 * <ul>
 *   <li>every labelled record is appended to {@link MetricsTopology#JOURNAL_STORE}, about 80 bytes, and every
 *       estimated prediction to {@link MetricsTopology#ESTIMATES_JOURNAL_STORE}, in the same transaction as its input
 *       offset, into the {@link JournalBlock} of its model and sequence number: one entry per
 *       {@value JournalBlock#RECORDS} records, so each changelog gets a block per commit, not a record per
 *       prediction;</li>
 *   <li>at a punctuation (every {@code emitInterval}, when the snapshots go out) once a model has counted
 *       {@code checkpointRecords} records since its last checkpoint, or {@value #CHECKPOINT_MAX_INTERVALS}
 *       intervals have passed, the views that changed since (cumulative states and window panes) are written to
 *       {@link MetricsTopology#CHECKPOINTS_STORE} ({@link ModelCheckpoints}) with the sequence numbers they include,
 *       and journal blocks that hold nothing newer than the checkpoint nor among the last N are deleted;</li>
 *   <li>a new reference checkpoints the whole model at once, so a journal after a checkpoint never spans a change
 *       of reference: a replay needs no reference but the checkpointed one;</li>
 *   <li>an alert rule's state is written whenever an evaluation changes it, in the transaction of the alert it
 *       emits, so across a restart every alert fires and resolves exactly once.</li>
 * </ul>
 * So the changelogs always hold, atomically with the committed input offsets, a checkpoint plus the journals after
 * it. On (re)start {@link #init} loads the checkpoints and replays the newer journal entries, without emitting
 * (their outputs were committed with them), and refills the last-N rings from the journals. Nothing is counted
 * twice or lost, with exactly_once_v2.
 *
 * <h2>Emission</h2>
 * Per model at most one snapshot per view per {@code emitInterval}: cumulative, last-N and the current window, each
 * only if it changed; plus one final snapshot per window when it closes (event time past its end + grace), in the
 * labelled views or the estimates. Each current snapshot is an evaluation of the alert rules on its view. Output
 * key: the model id; values {@link MetricsSnapshot}s and {@link Alert}s.
 */
final class ViewAggregator implements Processor<String, ModelEvent, String, SpecificRecord> {

    /** A model with changes is checkpointed at least every this many emit intervals. */
    private static final int CHECKPOINT_MAX_INTERVALS = 30;
    private static final List<MetricsView> EMITTED = List.of(MetricsView.CUMULATIVE, MetricsView.LAST_N,
            MetricsView.WINDOW);

    /** One model's views and the bookkeeping of its journals, checkpoints and alerts. Not thread-safe. */
    private static final class ModelState {
        final String modelId;
        /** The model id in UTF-8, as its store keys hold it. */
        final byte[] modelIdUtf8;
        final ModelViews views;
        final Journal labelled = new Journal();
        final Journal estimates = new Journal();
        int intervalsSinceCheckpoint;
        final Map<String, AlertRuleState> alerts;

        ModelState(String modelId, ModelViews views, Map<String, AlertRuleState> alerts) {
            this.modelId = modelId;
            this.modelIdUtf8 = modelId.getBytes(StandardCharsets.UTF_8);
            this.views = views;
            this.alerts = new HashMap<>(alerts);
        }
    }

    /** One of a model's journals: the block being filled, the oldest kept, what its checkpoint includes. */
    private static final class Journal {
        final JournalBlock openBlock = new JournalBlock();
        /** The oldest journal block still in the journal. */
        long start;
        /** The last sequence number in its checkpoint (-1: none). */
        long checkpointedSeq = -1;
        /** What changed since its last checkpoint (null: nothing). */
        EventTimeViews.Changes uncheckpointed;

        void changed(EventTimeViews.Changes changes) {
            uncheckpointed = uncheckpointed == null ? changes : uncheckpointed.then(changes);
        }
    }

    private final MetricsConfig config;
    private final StreamCounters counters;
    /** By model id, in id order: the order of each punctuation's snapshots. */
    private final Map<String, ModelState> models = new TreeMap<>();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Bytes, byte[]> labelledJournal;
    private KeyValueStore<Bytes, byte[]> estimatesJournal;
    private ModelCheckpoints checkpoints;
    private KeyValueStore<String, String> reports;

    ViewAggregator(MetricsConfig config, StreamCounters counters) {
        this.config = config;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.labelledJournal = context.getStateStore(MetricsTopology.JOURNAL_STORE);
        this.estimatesJournal = context.getStateStore(MetricsTopology.ESTIMATES_JOURNAL_STORE);
        this.checkpoints = new ModelCheckpoints(context.getStateStore(MetricsTopology.CHECKPOINTS_STORE), config);
        this.reports = context.getStateStore(MetricsTopology.REPORTS_STORE);
        restore();
        context.schedule(config.emitInterval(), PunctuationType.WALL_CLOCK_TIME, now -> checkpointAndEmit());
    }

    @Override
    public void process(Record<String, ModelEvent> record) {
        ModelEvent event = record.value();
        ModelState model = models.computeIfAbsent(event.modelId(),
                id -> new ModelState(id, new ModelViews(config), Map.of()));
        if (event instanceof ScoredPrediction prediction) {
            estimate(model, prediction);
            if (prediction.labelled()) {
                count(model, prediction.withLabel());
            }
        } else if (event instanceof LabelledPrediction prediction) {
            count(model, prediction);
        } else {
            reference(model, (ReferenceUpdate) event);
        }
    }

    private void count(ModelState model, LabelledPrediction prediction) {
        EventTimeViews.Added<LabelledViewState> added = model.views.count(prediction);
        labelledJournal.put(JournalBlock.key(model.modelIdUtf8, JournalBlock.blockOf(added.seq())),
                model.labelled.openBlock.append(added.seq(), prediction.toBytes()));
        for (int i = 0; i < added.lateWindows(); i++) {
            counters.increment(StreamCounters.Event.LATE_FOR_WINDOW);
        }
        for (EventTimeViews.Window<LabelledViewState> closed : added.closed()) {
            emit(model.views.closedLabelledWindow(model.modelId, closed, context.currentSystemTimeMs()), false);
        }
    }

    private void estimate(ModelState model, ScoredPrediction prediction) {
        EventTimeViews.Added<EstimateViewState> added = model.views.estimate(prediction);
        if (added == null) {
            counters.increment(StreamCounters.Event.WITHOUT_REFERENCE);
            return;
        }
        estimatesJournal.put(JournalBlock.key(model.modelIdUtf8, JournalBlock.blockOf(added.seq())),
                model.estimates.openBlock.append(added.seq(), prediction.toBytes()));
        for (EventTimeViews.Window<EstimateViewState> closed : added.closed()) {
            emit(model.views.closedEstimateWindow(model.modelId, closed, context.currentSystemTimeMs()), false);
        }
    }

    /**
     * A new reference starts the estimates and the calibration metrics afresh: the whole model is checkpointed at
     * once, so that no journal after a checkpoint spans a change of reference.
     */
    private void reference(ModelState model, ReferenceUpdate update) {
        if (!model.views.apply(update)) {
            return;
        }
        checkpoints.writeReference(model.modelIdUtf8, model.views);
        model.estimates.uncheckpointed = null;
        EventTimeViews.Changes everything = model.views.labelled().everything();
        model.labelled.changed(everything);
        checkpoint(model, model.labelled.uncheckpointed, model.views.estimates() == null ? EventTimeViews.Changes.NONE
                : model.views.estimates().everything());
    }

    /** The wall-clock punctuation: checkpoint what changed, trim the journals, emit snapshots, evaluate alerts. */
    private void checkpointAndEmit() {
        long now = context.currentSystemTimeMs();
        for (ModelState model : models.values()) {
            ModelViews views = model.views;
            EventTimeViews.Changes labelled = views.labelled().takeChanges();
            EventTimeViews.Changes estimates = views.estimates() == null ? EventTimeViews.Changes.NONE
                    : views.estimates().takeChanges();
            if (!labelled.any() && !estimates.any()) {
                continue;
            }
            maybeCheckpoint(model, labelled, estimates);
            for (MetricsView view : EMITTED) {
                boolean changed = switch (view) {
                    case CUMULATIVE -> labelled.cumulative() || estimates.cumulative();
                    case LAST_N -> labelled.lastN() || estimates.lastN();
                    case WINDOW -> views.labelled().currentWindowChanged(labelled.panes())
                            || views.estimates() != null && views.estimates().currentWindowChanged(estimates.panes());
                };
                if (changed) {
                    emit(evaluateAlerts(model, views.report(model.modelId, view, now)), true);
                }
            }
        }
    }

    private void emit(ViewReport report, boolean current) {
        context.forward(new Record<>(report.modelId(), report.toSnapshot(), report.emittedTime()));
        if (current) {
            reports.put(MetricsTopology.reportKey(report.modelId(), report.view()), report.toJson());
        }
    }

    // ---- alerts ------------------------------------------------------------------------------------

    /** Evaluates the rules on {@code report}'s view, emits an alert for each that changed state, and returns the report with their states. */
    private ViewReport evaluateAlerts(ModelState model, ViewReport report) {
        List<AlertStatus> statuses = new ArrayList<>();
        long time = model.views.streamTime();
        for (AlertRule rule : config.alertRules()) {
            if (rule.view() != report.view()) {
                continue;
            }
            double value = rule.value(report);
            AlertRuleState before = model.alerts.getOrDefault(rule.name(), AlertRuleState.INITIAL);
            AlertRuleState after = before.evaluate(rule, value, rule.basis(report), time);
            if (!after.equals(before)) {
                model.alerts.put(rule.name(), after);
                checkpoints.writeAlert(model.modelIdUtf8, rule.name(), after);
            }
            if (after.firing() != before.firing()) {
                context.forward(new Record<>(model.modelId, alert(model.modelId, rule, after, value, time), report.emittedTime()));
            }
            statuses.add(AlertStatus.of(rule, after, value));
        }
        return report.withAlerts(statuses);
    }

    private static Alert alert(String modelId, AlertRule rule, AlertRuleState state, double value, long time) {
        String figure = rule.metric() + " in " + ViewReport.apiName(rule.view()) + " of " + modelId + " = "
                + String.format(Locale.ROOT, "%.4f", value);
        String message = state.firing()
                ? figure + ", " + rule.comparison().symbol() + " " + rule.threshold() + " in " + rule.fireAfter()
                        + " evaluation(s) in a row (rule " + rule + ")"
                : figure + ", no longer " + rule.comparison().symbol() + " " + rule.threshold() + " in "
                        + rule.resolveAfter() + " evaluation(s) in a row (rule " + rule + ")";
        return Alert.newBuilder().setRule(rule.name()).setModelId(modelId).setView(rule.view())
                .setState(state.firing() ? AlertState.FIRING : AlertState.RESOLVED).setMetric(rule.metric())
                .setValue(value).setThreshold(rule.threshold()).setMessage(message)
                .setTime(Instant.ofEpochMilli(time)).build();
    }

    // ---- checkpoints -------------------------------------------------------------------------------

    /** Adds the changes to what the model's next checkpoint must write, and writes it when due. */
    private void maybeCheckpoint(ModelState model, EventTimeViews.Changes labelled, EventTimeViews.Changes estimates) {
        model.labelled.changed(labelled);
        model.estimates.changed(estimates);
        model.intervalsSinceCheckpoint++;
        long records = model.views.labelled().nextSeq() - 1 - model.labelled.checkpointedSeq
                + model.views.nextEstimateSeq() - 1 - model.estimates.checkpointedSeq;
        if (records >= config.checkpointRecords() || model.intervalsSinceCheckpoint >= CHECKPOINT_MAX_INTERVALS) {
            checkpoint(model, model.labelled.uncheckpointed, model.estimates.uncheckpointed);
        }
    }

    private void checkpoint(ModelState model, EventTimeViews.Changes labelled, EventTimeViews.Changes estimates) {
        ModelViews views = model.views;
        byte[] id = model.modelIdUtf8;
        checkpoints.writeLabelled(id, views.labelled(), labelled == null ? EventTimeViews.Changes.NONE : labelled);
        checkpoints.writeEstimates(id, views, estimates == null ? EventTimeViews.Changes.NONE : estimates);
        long labelledIncluded = views.labelled().nextSeq() - 1;
        long estimatedIncluded = views.nextEstimateSeq() - 1;
        // Keep what a restore replays (after the checkpoint) and what refills the last-N rings (of the current
        // reference's records, for the estimates): every block that holds such a record.
        trim(labelledJournal, id, model.labelled, labelledIncluded, 0);
        trim(estimatesJournal, id, model.estimates, estimatedIncluded, views.estimatedFrom());
        model.labelled.checkpointedSeq = labelledIncluded;
        model.estimates.checkpointedSeq = estimatedIncluded;
        model.labelled.uncheckpointed = null;
        model.estimates.uncheckpointed = null;
        model.intervalsSinceCheckpoint = 0;
    }

    private void trim(KeyValueStore<Bytes, byte[]> store, byte[] id, Journal journal, long included, long first) {
        long keepBlock = JournalBlock.blockOf(Math.max(0, Math.max(first, included + 1 - config.lastN())));
        for (long block = journal.start; block < keepBlock; block++) {
            store.delete(JournalBlock.key(id, block));
        }
        journal.start = Math.max(journal.start, keepBlock);
    }

    // ---- restore -----------------------------------------------------------------------------------

    /** Rebuilds every model's views from the checkpoints and the journals after them. */
    private void restore() {
        Map<String, ModelCheckpoints.Stored> stored = checkpoints.readAll();
        Map<String, TreeMap<Long, byte[]>> labelledBlocks = blocks(labelledJournal);
        Map<String, TreeMap<Long, byte[]>> estimateBlocks = blocks(estimatesJournal);
        TreeSet<String> ids = new TreeSet<>(stored.keySet());
        ids.addAll(labelledBlocks.keySet());
        ids.addAll(estimateBlocks.keySet());
        for (String id : ids) {
            ModelCheckpoints.Stored checkpoint = stored.getOrDefault(id, checkpoints.none());
            ModelState model = new ModelState(id, checkpoint.views(), checkpoint.alerts);
            List<LabelledPrediction> labelled = replay(labelledBlocks.get(id), model.labelled, checkpoint.labelledSeq, 0,
                    LabelledPrediction::fromBytes,
                    record -> model.views.labelled().refillRing(LabelledViewState.Counted.of(record)));
            List<ScoredPrediction> estimated = replay(estimateBlocks.get(id), model.estimates, checkpoint.estimateSeq,
                    checkpoint.estimatedFrom, ScoredPrediction::fromBytes,
                    record -> model.views.estimates().refillRing(record));
            labelled.forEach(model.views::count);
            estimated.forEach(model.views::estimate);
            model.views.labelled().takeChanges();
            model.views.labelled().markAllChanged();
            if (model.views.estimates() != null) {
                model.views.estimates().takeChanges();
                model.views.estimates().markAllChanged();
            }
            models.put(id, model);
        }
    }

    /**
     * Reads a model's journal blocks: records the checkpoint includes go back into the last-N ring (those from
     * {@code first} on), the newer ones are returned for replay; a partly filled last block is continued.
     */
    private static <T> List<T> replay(TreeMap<Long, byte[]> blocks, Journal journal, long included, long first,
            Function<byte[], T> decode, Consumer<T> refill) {
        journal.checkpointedSeq = included;
        List<T> newer = new ArrayList<>();
        if (blocks == null) {
            return newer;
        }
        journal.start = blocks.firstKey();
        for (Map.Entry<Long, byte[]> block : blocks.entrySet()) {
            List<T> records = JournalBlock.records(block.getValue(), decode);
            long seq = block.getKey() * JournalBlock.RECORDS;
            for (T record : records) {
                if (seq > included) {
                    newer.add(record);
                } else if (seq >= first) {
                    refill.accept(record);
                }
                seq++;
            }
            if (records.size() < JournalBlock.RECORDS) {
                // Only a model's last block can be partly filled: the next record continues it.
                journal.openBlock.resume(block.getKey(), block.getValue());
            }
        }
        return newer;
    }

    /** A journal's blocks by model id, then block number. */
    private static Map<String, TreeMap<Long, byte[]>> blocks(KeyValueStore<Bytes, byte[]> journal) {
        Map<String, TreeMap<Long, byte[]>> blocks = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = journal.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                ByteBuffer key = ByteBuffer.wrap(entry.key.get());
                blocks.computeIfAbsent(JournalBlock.modelOf(key), m -> new TreeMap<>()).put(key.getLong(), entry.value);
            }
        }
        return blocks;
    }
}

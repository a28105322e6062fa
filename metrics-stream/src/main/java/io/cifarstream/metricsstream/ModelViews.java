package io.cifarstream.metricsstream;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metrics.ClassifiedRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The three views of one model, in memory, as one stream thread owns them: the cumulative accumulator, the
 * event-time windows, and the ring of the last N records (the oldest leaves when the N+1-th arrives).
 *
 * <h2>Last N: built when shown</h2>
 * The last-N accumulator is built from the ring when {@link #lastN()} is asked for (once per snapshot interval), not
 * kept up to date per record: adding each record and removing the oldest would cost two accumulator updates per
 * record, while building costs N updates per snapshot, far less at any rate above N records per interval.
 *
 * <h2>Windows</h2>
 * Windows start on multiples of {@code advance} (epoch-aligned, like Kafka's {@code TimeWindows}) and span
 * {@code window}; a record at event time t belongs to every window with {@code start <= t < end}. Stream time
 * is the largest event time seen; a window closes once {@code end + grace <= streamTime}, and a record for a
 * closed window is late: left out of that window only. Every decision depends on the records in sequence
 * order alone, so replaying the same records from a checkpoint rebuilds the same state.
 *
 * <h2>Panes: each record is counted once, not once per window</h2>
 * Hopping windows overlap ({@code window / advance} of them hold each record: 6 at the defaults). Instead of
 * counting a record in each, it is counted in one <em>pane</em>, the slice {@code [p, p + advance)} that holds
 * its event time, and a window is the merge of its {@code window / advance} panes, built when it is shown or
 * closes ({@link ClassificationAccumulator#merge}, exact: merging the panes gives the state one accumulator fed
 * all their records would have). A late record only reaches windows still open: closed windows were emitted
 * at their close, and its pane is dropped once the last window holding it (the one starting at the pane)
 * closes. So a record costs three accumulator updates whatever the overlap: cumulative, its pane, and the current
 * window, which is kept merged once shown until stream time moves it on.
 *
 * <p>Change tracking: which views and panes changed since the last {@link #takeChanges()} (for snapshots
 * and checkpoints) and which panes were dropped since then (their checkpoints are deleted). Not thread-safe.
 */
public final class ModelViews {

    /** A window's accumulator with its bounds. */
    public record Window(long start, long end, ClassificationAccumulator accumulator) {
    }

    /** What changed since the previous call of {@link #takeChanges()}. */
    record Changes(boolean cumulative, boolean lastN, Set<Long> panes, Set<Long> droppedPanes) {
        boolean any() {
            return cumulative || lastN || !panes.isEmpty() || !droppedPanes.isEmpty();
        }

        /** These changes followed by {@code later}: what changed in either, less the panes dropped since. */
        Changes then(Changes later) {
            Set<Long> dropped = new HashSet<>(droppedPanes);
            dropped.addAll(later.droppedPanes);
            Set<Long> changed = new HashSet<>(panes);
            changed.addAll(later.panes);
            changed.removeAll(dropped);
            return new Changes(cumulative || later.cumulative, lastN || later.lastN, changed, dropped);
        }
    }

    /** The result of {@link #add}: the record's sequence number, how many of its windows had closed, and the windows it closed. */
    public record Added(long seq, int lateWindows, List<Window> closed) {
    }

    private final MetricsConfig config;
    private final long size;
    private final long advance;
    private final long grace;
    private final ClassificationAccumulator cumulative;
    /** Open panes by start; a pane is dropped when the window starting at it closes. */
    private final NavigableMap<Long, ClassificationAccumulator> panes = new TreeMap<>();
    private final Deque<ClassifiedRecord> ring = new ArrayDeque<>();
    /** The last-N accumulator as last built; null once the ring changed. */
    private ClassificationAccumulator lastN;
    /** The merged current window once {@link #currentWindow()} built it, kept up to date; null: build again. */
    private ClassificationAccumulator current;
    private long currentStart;
    private long streamTime;
    private long nextSeq;
    private boolean cumulativeChanged;
    private boolean lastNChanged;
    private Set<Long> changedPanes = new HashSet<>();
    private Set<Long> droppedPanes = new HashSet<>();

    /** Empty views of one model. */
    public ModelViews(MetricsConfig config) {
        this(config, new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit()), Map.of(),
                Long.MIN_VALUE, 0);
    }

    /** Views restored from a checkpoint taken after record {@code nextSeq - 1}; the ring is refilled by {@link #refillRing}. */
    ModelViews(MetricsConfig config, ClassificationAccumulator cumulative, Map<Long, ClassificationAccumulator> panes,
            long streamTime, long nextSeq) {
        this.config = config;
        this.size = config.window().toMillis();
        this.advance = config.advance().toMillis();
        this.grace = config.grace().toMillis();
        this.cumulative = cumulative;
        this.panes.putAll(panes);
        this.streamTime = streamTime;
        this.nextSeq = nextSeq;
    }

    /** Puts a record that was in the last-N view at the checkpoint back into it (oldest first). */
    void refillRing(LabelledPrediction record) {
        push(classify(record));
    }

    private void push(ClassifiedRecord record) {
        ring.addLast(record);
        if (ring.size() > config.lastN()) {
            ring.removeFirst();
        }
        lastN = null;
    }

    private static ClassifiedRecord classify(LabelledPrediction record) {
        return ClassifiedRecord.of(CifarShape.CLASSES, record.label(), record.logProbsUnsafe());
    }

    /**
     * Counts a record in every view.
     *
     * @return the sequence number given to the record, how many of its windows had closed, and the windows
     *         that closed because it advanced stream time (their final state)
     */
    public Added add(LabelledPrediction record) {
        ClassifiedRecord classified = classify(record);
        long seq = nextSeq++;
        cumulative.add(classified);
        cumulativeChanged = true;
        push(classified);
        lastNChanged = true;
        long before = streamTime;
        long t = record.eventTime();
        streamTime = Math.max(streamTime, t);
        long pane = paneOf(t);
        int late = 0;
        for (long start = pane - size + advance; start <= pane; start += advance) {
            if (isClosed(start)) {
                late++;
            }
        }
        if (!isClosed(pane)) {
            panes.computeIfAbsent(pane, p -> new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit()))
                    .add(classified);
            changedPanes.add(pane);
        }
        if (current != null && currentStart != currentWindowStart()) {
            current = null;
        } else if (current != null && pane >= currentStart && pane < currentStart + size) {
            current.add(classified);
        }
        return new Added(seq, late, before == streamTime ? List.of() : closeWindows(before));
    }

    /** Emits the windows that closed as stream time moved on from {@code before}, oldest first, and drops their panes. */
    private List<Window> closeWindows(long before) {
        List<Window> closed = new ArrayList<>();
        long from = before == Long.MIN_VALUE ? Long.MIN_VALUE : lastClosedStart(before) + advance;
        long through = lastClosedStart(streamTime);
        while (!panes.isEmpty()) {
            // The oldest window at or after `from` that holds a pane: it starts at most (window - advance) before it.
            long start = Math.max(from, panes.firstKey() - size + advance);
            if (start > through) {
                break;
            }
            closed.add(merged(start));
            from = start + advance;
            while (!panes.isEmpty() && panes.firstKey() < from) {
                long dropped = panes.pollFirstEntry().getKey();
                changedPanes.remove(dropped);
                droppedPanes.add(dropped);
            }
        }
        return closed;
    }

    private boolean isClosed(long windowStart) {
        return streamTime != Long.MIN_VALUE && windowStart + size + grace <= streamTime;
    }

    /** The start of the newest window closed at stream time {@code time}. */
    private long lastClosedStart(long time) {
        return paneOf(time - size - grace);
    }

    private long paneOf(long t) {
        return Math.floorDiv(t, advance) * advance;
    }

    /** The window starting at {@code start}: the merge of its open panes. */
    private Window merged(long start) {
        ClassificationAccumulator window = new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit());
        for (ClassificationAccumulator pane : panes.subMap(start, start + size).values()) {
            window.merge(pane);
        }
        return new Window(start, start + size, window);
    }

    /** The changes since the previous call, and forgets them. */
    Changes takeChanges() {
        Changes changes = new Changes(cumulativeChanged, lastNChanged, changedPanes, droppedPanes);
        cumulativeChanged = false;
        lastNChanged = false;
        changedPanes = new HashSet<>();
        droppedPanes = new HashSet<>();
        return changes;
    }

    /** Marks every view changed: after a restore, so that each is emitted once. */
    void markAllChanged() {
        cumulativeChanged = true;
        lastNChanged = true;
        changedPanes.addAll(panes.keySet());
    }

    ClassificationAccumulator cumulative() {
        return cumulative;
    }

    /** The last-N view, built from the ring if it changed since the last call. */
    ClassificationAccumulator lastN() {
        if (lastN == null) {
            ClassificationAccumulator built = new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit());
            ring.forEach(built::add);
            lastN = built;
        }
        return lastN;
    }

    /** The open pane starting at {@code start}, or null. */
    ClassificationAccumulator pane(long start) {
        return panes.get(start);
    }

    /** Open panes by start. */
    NavigableMap<Long, ClassificationAccumulator> panes() {
        return panes;
    }

    /**
     * The view the API calls "the window": the oldest open window that contains the stream time, i.e. the
     * last {@code --window} of event time (rounded to {@code --advance}); null before any record.
     */
    /**
     * What a checkpoint of these views holds, in bytes: the cumulative view, the panes of the current window (all
     * panes open, counted apart), and the ROC cells of class 0's cumulative sketch, the figure that stops growing at
     * the cell limit.
     */
    public record StateSize(int cumulativeBytes, int currentWindowPaneBytes, int panesOpen, int cumulativeRocCellsClass0) {
    }

    /** The size of these views' checkpoint now (see {@link StateSize}). */
    public StateSize stateSize() {
        int windowBytes = 0;
        Window window = currentWindow();
        if (window != null) {
            for (ClassificationAccumulator pane : panes.subMap(window.start(), window.end()).values()) {
                windowBytes += pane.toBytes().length;
            }
        }
        return new StateSize(cumulative.toBytes().length, windowBytes, panes.size(), cumulative.roc(0).cellCount());
    }

    Window currentWindow() {
        if (streamTime == Long.MIN_VALUE) {
            return null;
        }
        if (current == null) {
            currentStart = currentWindowStart();
            current = merged(currentStart).accumulator();
        }
        return new Window(currentStart, currentStart + size, current);
    }

    /** Whether the current window holds a pane in {@code changed}: then its snapshot is due. */
    boolean currentWindowChanged(Set<Long> changed) {
        if (streamTime == Long.MIN_VALUE) {
            return false;
        }
        long start = currentWindowStart();
        return changed.stream().anyMatch(pane -> pane >= start && pane < start + size);
    }

    private long currentWindowStart() {
        return paneOf(streamTime) - size + advance;
    }

    long streamTime() {
        return streamTime;
    }

    /** The sequence number the next record gets; records 0 .. nextSeq-1 are counted. */
    long nextSeq() {
        return nextSeq;
    }

    long windowSizeMs() {
        return size;
    }
}

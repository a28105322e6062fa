package io.cifarstream.metricsstream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The three views of one stream of records, in memory, as one stream thread owns them: the cumulative state, the
 * event-time windows, and the ring of the last N records (the oldest leaves when the N+1-th arrives). What a view's
 * state is and how a record enters it is the {@link Accumulation}'s: the labelled views count
 * {@link LabelledViewState}s, the label-free ones {@link EstimateViewState}s.
 *
 * <h2>Last N: built when shown</h2>
 * The last-N state is built from the ring when {@link #lastN()} is asked for (once per snapshot interval), not
 * kept up to date per record: adding each record and removing the oldest would cost two updates per record, while
 * building costs N updates per snapshot, far less at any rate above N records per interval.
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
 * closes (exact: every state's merge gives the state one accumulator fed all their records would have). A late
 * record only reaches windows still open: closed windows were emitted at their close, and its pane is dropped once
 * the last window holding it (the one starting at the pane) closes. So a record costs three state updates whatever
 * the overlap: cumulative, its pane, and the current window, which is kept merged once shown until stream time
 * moves it on.
 *
 * <p>Change tracking: which views and panes changed since the last {@link #takeChanges()} (for snapshots
 * and checkpoints) and which panes were dropped since then (their checkpoints are deleted). Not thread-safe.
 *
 * @param <R> a record
 * @param <S> a view's state
 */
public final class EventTimeViews<R, S> {

    /** How a view's state is made, fed and combined. */
    public interface Accumulation<R, S> {
        /** An empty state. */
        S empty();

        /** Counts {@code record}, the {@code seq}-th of the stream (0-based), in {@code state}. */
        void add(S state, R record, long seq);

        /** Adds everything {@code from} counted to {@code into}. */
        void merge(S into, S from);

        long eventTime(R record);
    }

    /** A window's state with its bounds. */
    public record Window<S>(long start, long end, S state) {
    }

    /** What changed since the previous call of {@link #takeChanges()}. */
    record Changes(boolean cumulative, boolean lastN, Set<Long> panes, Set<Long> droppedPanes) {
        static final Changes NONE = new Changes(false, false, Set.of(), Set.of());

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
    public record Added<S>(long seq, int lateWindows, List<Window<S>> closed) {
    }

    private static final long NO_PANE = Long.MIN_VALUE;

    private final Accumulation<R, S> accumulation;
    private final int lastNSize;
    private final long size;
    private final long advance;
    private final long grace;
    private final S cumulative;
    /** Open panes by start; a pane is dropped when the window starting at it closes. */
    private final NavigableMap<Long, S> panes = new TreeMap<>();
    private final Deque<R> ring = new ArrayDeque<>();
    /** The last-N state as last built; null once the ring changed. */
    private S lastN;
    /** The merged current window once {@link #currentWindow()} built it, kept up to date; null: build again. */
    private S current;
    private long currentStart;
    /** The pane the previous record went to, so that records in order find theirs without a map lookup. */
    private long lastPaneStart = NO_PANE;
    private S lastPane;
    private long streamTime;
    private long nextSeq;
    private boolean cumulativeChanged;
    private boolean lastNChanged;
    private Set<Long> changedPanes = new HashSet<>();
    private long lastChangedPane = NO_PANE;
    private Set<Long> droppedPanes = new HashSet<>();

    /** Empty views whose first record gets sequence number {@code nextSeq}. */
    public EventTimeViews(MetricsConfig config, Accumulation<R, S> accumulation, long nextSeq) {
        this(config, accumulation, accumulation.empty(), Map.of(), Long.MIN_VALUE, nextSeq);
    }

    /** Views restored from a checkpoint taken after record {@code nextSeq - 1}; the ring is refilled by {@link #refillRing}. */
    EventTimeViews(MetricsConfig config, Accumulation<R, S> accumulation, S cumulative, Map<Long, S> panes,
            long streamTime, long nextSeq) {
        this.accumulation = accumulation;
        this.lastNSize = config.lastN();
        this.size = config.window().toMillis();
        this.advance = config.advance().toMillis();
        this.grace = config.grace().toMillis();
        this.cumulative = cumulative;
        this.panes.putAll(panes);
        this.streamTime = streamTime;
        this.nextSeq = nextSeq;
    }

    /** Puts a record that was in the last-N view at the checkpoint back into it (oldest first). */
    void refillRing(R record) {
        push(record);
    }

    private void push(R record) {
        ring.addLast(record);
        if (ring.size() > lastNSize) {
            ring.removeFirst();
        }
        lastN = null;
    }

    /**
     * Counts a record in every view.
     *
     * @return the sequence number given to the record, how many of its windows had closed, and the windows
     *         that closed because it advanced stream time (their final state)
     */
    public Added<S> add(R record) {
        long seq = nextSeq++;
        accumulation.add(cumulative, record, seq);
        cumulativeChanged = true;
        push(record);
        lastNChanged = true;
        long before = streamTime;
        long t = accumulation.eventTime(record);
        streamTime = Math.max(streamTime, t);
        long pane = paneOf(t);
        int late = 0;
        for (long start = pane - size + advance; start <= pane; start += advance) {
            if (isClosed(start)) {
                late++;
            }
        }
        if (!isClosed(pane)) {
            accumulation.add(paneAt(pane), record, seq);
            if (pane != lastChangedPane) {
                changedPanes.add(pane);
                lastChangedPane = pane;
            }
        }
        if (current != null && currentStart != currentWindowStart()) {
            current = null;
        } else if (current != null && pane >= currentStart && pane < currentStart + size) {
            accumulation.add(current, record, seq);
        }
        return new Added<>(seq, late, before == streamTime ? List.of() : closeWindows(before));
    }

    private S paneAt(long start) {
        if (start != lastPaneStart) {
            lastPane = panes.computeIfAbsent(start, p -> accumulation.empty());
            lastPaneStart = start;
        }
        return lastPane;
    }

    /** Emits the windows that closed as stream time moved on from {@code before}, oldest first, and drops their panes. */
    private List<Window<S>> closeWindows(long before) {
        List<Window<S>> closed = new ArrayList<>();
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
                if (dropped == lastPaneStart) {
                    lastPaneStart = NO_PANE;
                    lastPane = null;
                }
            }
        }
        lastChangedPane = NO_PANE;
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
    private Window<S> merged(long start) {
        S window = accumulation.empty();
        for (S pane : panes.subMap(start, start + size).values()) {
            accumulation.merge(window, pane);
        }
        return new Window<>(start, start + size, window);
    }

    /** The changes since the previous call, and forgets them. */
    Changes takeChanges() {
        Changes changes = new Changes(cumulativeChanged, lastNChanged, changedPanes, droppedPanes);
        cumulativeChanged = false;
        lastNChanged = false;
        changedPanes = new HashSet<>();
        lastChangedPane = NO_PANE;
        droppedPanes = new HashSet<>();
        return changes;
    }

    /** Everything these views hold, as changes (the drops not yet taken included): a checkpoint of the whole state. */
    Changes everything() {
        return new Changes(true, true, new HashSet<>(panes.keySet()), new HashSet<>(droppedPanes));
    }

    /** Marks every view changed: after a restore, so that each is emitted once. */
    void markAllChanged() {
        cumulativeChanged = true;
        lastNChanged = true;
        changedPanes.addAll(panes.keySet());
        lastChangedPane = NO_PANE;
    }

    /**
     * Hands every state held (cumulative, the panes, the current window) to {@code change}, e.g. to start a part of
     * them afresh, and marks every view changed; the last-N state is built again when next shown.
     */
    void changeEveryState(Consumer<S> change) {
        change.accept(cumulative);
        panes.values().forEach(change);
        if (current != null) {
            change.accept(current);
        }
        lastN = null;
        markAllChanged();
    }

    S cumulative() {
        return cumulative;
    }

    /** The last-N view, built from the ring if it changed since the last call. */
    S lastN() {
        if (lastN == null) {
            S built = accumulation.empty();
            long seq = nextSeq - ring.size();
            for (R record : ring) {
                accumulation.add(built, record, seq++);
            }
            lastN = built;
        }
        return lastN;
    }

    /** The open pane starting at {@code start}, or null. */
    S pane(long start) {
        return panes.get(start);
    }

    /** Open panes by start. */
    NavigableMap<Long, S> panes() {
        return panes;
    }

    /**
     * The view the API calls "the window": the oldest open window that contains the stream time, i.e. the
     * last {@code --window} of event time (rounded to {@code --advance}); null before any record.
     */
    Window<S> currentWindow() {
        if (streamTime == Long.MIN_VALUE) {
            return null;
        }
        if (current == null) {
            currentStart = currentWindowStart();
            current = merged(currentStart).state();
        }
        return new Window<>(currentStart, currentStart + size, current);
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

    /** The sequence number the next record gets; records before it are counted. */
    long nextSeq() {
        return nextSeq;
    }
}

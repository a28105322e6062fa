package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ClassificationAccumulator;

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
 * The three views of one model, in memory, as one stream thread owns them: the cumulative accumulator, one
 * accumulator per open event-time window, and the last-N accumulator with the ring of its records (the
 * oldest leaves when the N+1-th arrives, via {@link ClassificationAccumulator#remove}).
 *
 * <p>Windows start on multiples of {@code advance} (epoch-aligned, like Kafka's {@code TimeWindows}) and
 * span {@code window}; a record at event time t belongs to every window with {@code start <= t < end}.
 * Stream time is the largest event time seen; a window closes once {@code end + grace <= streamTime}, and
 * a record for a closed window is late: left out of that window only. Every decision depends on the records
 * in sequence order alone, so replaying the same records from a checkpoint rebuilds the same state.
 *
 * <p>Change tracking: which views changed since the last {@link #takeChanges()} (for snapshots and
 * checkpoints) and which windows closed since then (their checkpoints are deleted). Not thread-safe.
 */
final class ModelViews {

    /** A window's accumulator with its bounds. */
    record Window(long start, long end, ClassificationAccumulator accumulator) {
    }

    /** What changed since the previous call of {@link #takeChanges()}. */
    record Changes(boolean cumulative, boolean lastN, Set<Long> windows, Set<Long> closedWindows) {
        boolean any() {
            return cumulative || lastN || !windows.isEmpty() || !closedWindows.isEmpty();
        }
    }

    private final MetricsConfig config;
    private final long size;
    private final long advance;
    private final long grace;
    private final ClassificationAccumulator cumulative;
    private final NavigableMap<Long, ClassificationAccumulator> windows = new TreeMap<>();
    private final ClassificationAccumulator lastN;
    private final Deque<LabelledPrediction> ring = new ArrayDeque<>();
    private long streamTime = Long.MIN_VALUE;
    private long nextSeq;
    private boolean cumulativeChanged;
    private boolean lastNChanged;
    private Set<Long> changedWindows = new HashSet<>();
    private Set<Long> closedWindows = new HashSet<>();

    ModelViews(MetricsConfig config) {
        this(config, new ClassificationAccumulator(MetricsConfig.NUM_CLASSES, config.rocCellLimit()), Map.of(),
                Long.MIN_VALUE, 0);
    }

    /** Views restored from a checkpoint taken after record {@code nextSeq - 1}; the ring is refilled by {@link #refillRing}. */
    ModelViews(MetricsConfig config, ClassificationAccumulator cumulative, Map<Long, ClassificationAccumulator> windows,
            long streamTime, long nextSeq) {
        this.config = config;
        this.size = config.window().toMillis();
        this.advance = config.advance().toMillis();
        this.grace = config.grace().toMillis();
        this.cumulative = cumulative;
        this.windows.putAll(windows);
        this.lastN = new ClassificationAccumulator(MetricsConfig.NUM_CLASSES, config.rocCellLimit());
        this.streamTime = streamTime;
        this.nextSeq = nextSeq;
    }

    /** Puts a record that was in the last-N view at the checkpoint back into it (oldest first). */
    void refillRing(LabelledPrediction record) {
        ring.addLast(record);
        lastN.add(record.label(), record.logProbsUnsafe());
        if (ring.size() > config.lastN()) {
            LabelledPrediction oldest = ring.removeFirst();
            lastN.remove(oldest.label(), oldest.logProbsUnsafe());
        }
    }

    /**
     * Counts a record in every view.
     *
     * @return the sequence number given to the record, then the windows it closed (their final state)
     */
    Added add(LabelledPrediction record) {
        long seq = nextSeq++;
        float[] logProbs = record.logProbsUnsafe();
        cumulative.add(record.label(), logProbs);
        cumulativeChanged = true;
        refillRing(record);
        lastNChanged = true;
        streamTime = Math.max(streamTime, record.eventTime());
        int late = 0;
        long t = record.eventTime();
        for (long start = firstWindowStart(t); start <= t; start += advance) {
            if (start + size + grace <= streamTime) {
                late++;
                continue;
            }
            ClassificationAccumulator window = windows.get(start);
            if (window == null) {
                window = new ClassificationAccumulator(MetricsConfig.NUM_CLASSES, config.rocCellLimit());
                windows.put(start, window);
            }
            window.add(record.label(), logProbs);
            changedWindows.add(start);
        }
        return new Added(seq, late, closeWindows());
    }

    /** The result of {@link #add}: the record's sequence number, how many of its windows had closed, and the windows it closed. */
    record Added(long seq, int lateWindows, List<Window> closed) {
    }

    private List<Window> closeWindows() {
        List<Window> closed = new ArrayList<>();
        while (!windows.isEmpty() && windows.firstKey() + size + grace <= streamTime) {
            Map.Entry<Long, ClassificationAccumulator> first = windows.pollFirstEntry();
            closed.add(new Window(first.getKey(), first.getKey() + size, first.getValue()));
            changedWindows.remove(first.getKey());
            closedWindows.add(first.getKey());
        }
        return closed;
    }

    private long firstWindowStart(long t) {
        return Math.floorDiv(t - size + advance, advance) * advance;
    }

    /** The changes since the previous call, and forgets them. */
    Changes takeChanges() {
        Changes changes = new Changes(cumulativeChanged, lastNChanged, changedWindows, closedWindows);
        cumulativeChanged = false;
        lastNChanged = false;
        changedWindows = new HashSet<>();
        closedWindows = new HashSet<>();
        return changes;
    }

    /** Marks every view changed: after a restore, so that each is emitted once. */
    void markAllChanged() {
        cumulativeChanged = true;
        lastNChanged = true;
        changedWindows.addAll(windows.keySet());
    }

    ClassificationAccumulator cumulative() {
        return cumulative;
    }

    ClassificationAccumulator lastN() {
        return lastN;
    }

    /** The open window starting at {@code start}, or null. */
    ClassificationAccumulator window(long start) {
        return windows.get(start);
    }

    /**
     * The view the API calls "the window": the oldest open window that still contains the stream time, i.e.
     * the last {@code --window} of event time (rounded to {@code --advance}); null before any record.
     */
    Window currentWindow() {
        for (Map.Entry<Long, ClassificationAccumulator> entry : windows.entrySet()) {
            if (entry.getKey() + size > streamTime) {
                return new Window(entry.getKey(), entry.getKey() + size, entry.getValue());
            }
        }
        return null;
    }

    /** Open windows by start. */
    NavigableMap<Long, ClassificationAccumulator> windows() {
        return windows;
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

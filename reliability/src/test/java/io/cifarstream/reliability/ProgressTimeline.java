package io.cifarstream.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a count (committed predictions, records the metrics stream counted) went up, as a follower polling it saw it:
 * one point per increase. A fault shows as a pause between two increases; how long after the fault the count rose again
 * is the recovery time. Thread-safe: one thread adds, others read.
 */
final class ProgressTimeline {

    /** The count rose to {@code count} at {@code nanos} ({@link System#nanoTime()}). */
    record Point(long nanos, long count) {
    }

    /** The longest pause that ended after a moment: when it began and ended. */
    record Pause(long fromNanos, long toNanos) {
        Duration length() {
            return Duration.ofNanos(toNanos - fromNanos);
        }
    }

    private final List<Point> points = new ArrayList<>();

    /** Records {@code count} if it is higher than the last one. */
    synchronized void saw(long nanos, long count) {
        if (points.isEmpty() || count > points.get(points.size() - 1).count()) {
            points.add(new Point(nanos, count));
        }
    }

    /** The latest count, 0 before any. */
    synchronized long latest() {
        return points.isEmpty() ? 0 : points.get(points.size() - 1).count();
    }

    /** When the count last rose, or empty before it ever did. */
    synchronized Optional<Long> lastRiseNanos() {
        return points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1).nanos());
    }

    /** The count at {@code nanos}: the last point at or before it. */
    synchronized long countAt(long nanos) {
        long count = 0;
        for (Point point : points) {
            if (point.nanos() > nanos) {
                break;
            }
            count = point.count();
        }
        return count;
    }

    /**
     * The longest pause between two rises that ends after {@code faultNanos} and no later than {@code untilNanos}: the
     * pause the fault caused, as a downstream reader saw it (a count that never rose before the fault pauses from the
     * fault on). Empty when the count never rose after the fault.
     */
    synchronized Optional<Pause> longestPauseAfter(long faultNanos, long untilNanos) {
        Pause longest = null;
        for (int i = 0; i < points.size(); i++) {
            long to = points.get(i).nanos();
            if (to <= faultNanos || to > untilNanos) {
                continue;
            }
            Pause pause = new Pause(i == 0 ? faultNanos : points.get(i - 1).nanos(), to);
            if (longest == null || pause.length().compareTo(longest.length()) > 0) {
                longest = pause;
            }
        }
        return Optional.ofNullable(longest);
    }

    /** From the fault to the end of the longest pause after it: when the count rose again. */
    Optional<Duration> recoveryAfter(long faultNanos, long untilNanos) {
        return longestPauseAfter(faultNanos, untilNanos).map(pause -> Duration.ofNanos(pause.toNanos() - faultNanos));
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetterKind;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Event counters of one metrics-stream instance since it started, shared by its stream threads (thread-safe)
 * and read by the HTTP API's {@code /metrics}. Like any Prometheus counter they restart at 0 with the process;
 * with exactly-once, records re-processed after a failure may be counted again here (never in the metrics).
 */
public final class StreamCounters {

    /** What is counted. */
    public enum Event {
        /** A prediction was seen for the first time (labelled or not): it goes to the label-free views. */
        SCORED("predictions_scored_total", "Predictions seen for the first time, labelled or not."),
        /** A prediction whose model had no reference for its version: no estimates or drift checks for it. */
        WITHOUT_REFERENCE("predictions_without_reference_total",
                "Predictions left out of the label-free estimates and drift checks: no reference for their model version."),
        /** A model reference was read from the references topic. */
        REFERENCE_READ("references_read_total", "Model references read from the references topic."),
        /** A labelled prediction entered the aggregation. */
        COUNTED("predictions_counted_total", "Labelled predictions counted into the metrics."),
        /** A prediction waited --label-wait without a label and was dropped. */
        UNLABELLED_EXPIRED("predictions_unlabelled_expired_total",
                "Predictions dropped after waiting the label wait for a label."),
        /** A label waited --label-wait and no prediction of its image came. */
        UNKNOWN_IMAGE_LABEL("labels_unknown_image_total",
                "Labels for an image id no prediction had within the label wait (also dead-lettered)."),
        /** A prediction already counted for the same (image, model) came again. */
        DUPLICATE_PREDICTION("predictions_duplicate_total",
                "Predictions of an (image, model) pair already counted, ignored."),
        /** A record too late for a window (past its grace); still counted in the cumulative and last-N views. */
        LATE_FOR_WINDOW("window_late_records_total",
                "Record-window pairs dropped because the window had closed (past its grace).");

        private final String metricName;
        private final String help;

        Event(String metricName, String help) {
            this.metricName = metricName;
            this.help = help;
        }

        public String metricName() {
            return metricName;
        }

        public String help() {
            return help;
        }
    }

    private final Map<Event, LongAdder> events = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> deadLetters = new ConcurrentHashMap<>();

    public void increment(Event event) {
        events.computeIfAbsent(event, e -> new LongAdder()).increment();
    }

    /** One more record dead-lettered with this error kind. */
    public void deadLetter(DeadLetterKind kind) {
        deadLetters.computeIfAbsent(kind.name(), k -> new LongAdder()).increment();
    }

    public long count(Event event) {
        LongAdder adder = events.get(event);
        return adder == null ? 0 : adder.sum();
    }

    /** Dead letters written per error kind, sorted by kind. */
    public Map<String, Long> deadLetters() {
        Map<String, Long> counts = new TreeMap<>();
        deadLetters.forEach((kind, adder) -> counts.put(kind, adder.sum()));
        return counts;
    }

    public long deadLetters(String kind) {
        LongAdder adder = deadLetters.get(kind);
        return adder == null ? 0 : adder.sum();
    }
}

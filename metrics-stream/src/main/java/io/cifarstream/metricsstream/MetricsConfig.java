package io.cifarstream.metricsstream;

import io.cifarstream.metrics.RocSketch;
import io.cifarstream.schemas.TopicNames;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the metrics topology computes and from which topics: the event-time windows ({@code window} long,
 * starting every {@code advance}; equal values give tumbling windows), how long a window still accepts
 * late records ({@code grace}), the size of the last-N view, how long a prediction and a label wait for
 * each other ({@code labelWait}), how often snapshots are emitted and checkpointed per (model, view)
 * ({@code emitInterval}), up to how many distinct scores per class the ROC-AUC stays exact
 * ({@code rocCellLimit}, see {@link RocSketch}), and after how many counted records a model's views are
 * checkpointed ({@code checkpointRecords}: the most records a restart replays from the journal, see
 * {@link ViewAggregator}), and the {@link AlertRule}s evaluated on every model's views ({@code alertRules}).
 */
public record MetricsConfig(TopicNames topics, Duration window, Duration advance, Duration grace, int lastN,
        Duration labelWait, Duration emitInterval, int rocCellLimit, int checkpointRecords, List<AlertRule> alertRules) {

    /**
     * Default {@code checkpointRecords}: at 50,000 predictions/s a checkpoint every 50,000 records (serializing up
     * to three accumulators of a million ROC cells each) took a tenth of the aggregation thread (profiled); every
     * 200,000 it is a fortieth, and a restart replays at most this many ~80-byte journal records.
     */
    public static final int DEFAULT_CHECKPOINT_RECORDS = 200_000;

    public MetricsConfig {
        Objects.requireNonNull(topics, "topics");
        requirePositive(window, "the window");
        requirePositive(advance, "the advance");
        requirePositive(labelWait, "the label wait");
        requirePositive(emitInterval, "the emit interval");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the grace must not be negative, got " + grace);
        }
        if (advance.compareTo(window) > 0) {
            throw new IllegalArgumentException("the advance (" + advance + ") must not exceed the window (" + window
                    + "): windows would leave gaps; an advance equal to the window gives tumbling windows");
        }
        if (window.toMillis() % advance.toMillis() != 0) {
            throw new IllegalArgumentException("the window (" + window + ") must be a multiple of the advance ("
                    + advance + ") so that every window starts on the advance grid");
        }
        if (lastN < 1) {
            throw new IllegalArgumentException("the last-N size must be at least 1, got " + lastN);
        }
        if (checkpointRecords < 1) {
            throw new IllegalArgumentException("the checkpoint interval must be at least 1 record, got " + checkpointRecords);
        }
        if (rocCellLimit < 2) {
            throw new IllegalArgumentException("the ROC cell limit must be at least 2, got " + rocCellLimit);
        }
        alertRules = List.copyOf(alertRules);
        AlertRule.requireUniqueNames(alertRules);
    }

    /**
     * The command line's defaults: 1 min windows every 10 s, 10 s grace, last 1,000, labels wait 1 h, 1 snapshot/s,
     * no alert rules.
     */
    public static MetricsConfig defaults(TopicNames topics) {
        return new MetricsConfig(topics, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(10), 1000,
                Duration.ofHours(1), Duration.ofSeconds(1), RocSketch.DEFAULT_CELL_LIMIT, DEFAULT_CHECKPOINT_RECORDS,
                List.of());
    }

    public MetricsConfig withWindow(Duration newWindow, Duration newAdvance, Duration newGrace) {
        return new MetricsConfig(topics, newWindow, newAdvance, newGrace, lastN, labelWait, emitInterval, rocCellLimit,
                checkpointRecords, alertRules);
    }

    public MetricsConfig withLastN(int newLastN) {
        return new MetricsConfig(topics, window, advance, grace, newLastN, labelWait, emitInterval, rocCellLimit,
                checkpointRecords, alertRules);
    }

    public MetricsConfig withLabelWait(Duration newLabelWait) {
        return new MetricsConfig(topics, window, advance, grace, lastN, newLabelWait, emitInterval, rocCellLimit,
                checkpointRecords, alertRules);
    }

    public MetricsConfig withEmitInterval(Duration newEmitInterval) {
        return new MetricsConfig(topics, window, advance, grace, lastN, labelWait, newEmitInterval, rocCellLimit,
                checkpointRecords, alertRules);
    }

    public MetricsConfig withRocCellLimit(int newRocCellLimit) {
        return new MetricsConfig(topics, window, advance, grace, lastN, labelWait, emitInterval, newRocCellLimit,
                checkpointRecords, alertRules);
    }

    public MetricsConfig withCheckpointRecords(int newCheckpointRecords) {
        return new MetricsConfig(topics, window, advance, grace, lastN, labelWait, emitInterval, rocCellLimit,
                newCheckpointRecords, alertRules);
    }

    public MetricsConfig withAlertRules(List<AlertRule> newAlertRules) {
        return new MetricsConfig(topics, window, advance, grace, lastN, labelWait, emitInterval, rocCellLimit,
                checkpointRecords, newAlertRules);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}

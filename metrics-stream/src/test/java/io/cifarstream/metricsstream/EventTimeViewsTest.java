package io.cifarstream.metricsstream;

import io.cifarstream.testkit.SyntheticPredictions;
import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;

import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.schemas.TopicNames;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The window views built from panes equal the windows of the definition, applied record by record: a record at
 * event time t goes into every window [s, s + window) holding t unless that window has closed (end + grace at or
 * before the largest event time seen so far); a window's final state is what it held when it closed; the current
 * window is the oldest open one holding the stream time.
 */
class EventTimeViewsTest {

    private static final long WINDOW = 30_000;
    private static final long ADVANCE = 10_000;
    private static final long GRACE = 5_000;

    private final MetricsConfig config = MetricsConfig.defaults(TopicNames.defaults())
            .withWindow(Duration.ofMillis(WINDOW), Duration.ofMillis(ADVANCE), Duration.ofMillis(GRACE));
    private final SyntheticPredictions scores = new SyntheticPredictions(7);

    /** The definition, naively: every window's records kept in a list. */
    private static final class WindowsByDefinition {
        final Map<Long, List<LabelledPrediction>> open = new TreeMap<>();
        final List<Map.Entry<Long, List<LabelledPrediction>>> closed = new ArrayList<>();
        long streamTime = Long.MIN_VALUE;
        int late;

        void add(LabelledPrediction record) {
            streamTime = Math.max(streamTime, record.eventTime());
            long t = record.eventTime();
            for (long s = Math.floorDiv(t, ADVANCE) * ADVANCE; s > t - WINDOW; s -= ADVANCE) {
                if (s + WINDOW + GRACE <= streamTime) {
                    late++;
                } else {
                    open.computeIfAbsent(s, k -> new ArrayList<>()).add(record);
                }
            }
            open.entrySet().removeIf(window -> {
                boolean closes = window.getKey() + WINDOW + GRACE <= streamTime;
                if (closes) {
                    closed.add(Map.entry(window.getKey(), window.getValue()));
                }
                return closes;
            });
        }

        List<LabelledPrediction> current() {
            long start = Math.floorDiv(streamTime, ADVANCE) * ADVANCE - WINDOW + ADVANCE;
            return open.getOrDefault(start, List.of());
        }
    }

    @Test
    void windowsFromPanesEqualTheWindowsOfTheDefinition() {
        Random random = new Random(11);
        ModelViews model = new ModelViews(config);
        EventTimeViews<LabelledViewState.Counted, LabelledViewState> views = model.labelled();
        WindowsByDefinition expected = new WindowsByDefinition();
        List<EventTimeViews.Window<LabelledViewState>> closed = new ArrayList<>();
        int late = 0;
        long clock = 1_700_000_000_000L;
        for (int i = 0; i < 4000; i++) {
            clock += random.nextInt(40);
            // Mostly in order; some a little late (within grace), some far behind (late for some windows or all).
            long eventTime = switch (random.nextInt(20)) {
                case 0 -> clock - random.nextInt(8_000);
                case 1 -> clock - 20_000 - random.nextInt(40_000);
                default -> clock;
            };
            if (i == 2500) {
                clock += 300_000; // a gap: several windows close at once, some empty
            }
            LabelledPrediction record = new LabelledPrediction("m", "img-" + i, "v1", i % 10, scores.logProbs(i, i % 10),
                    eventTime);
            EventTimeViews.Added<LabelledViewState> added = model.count(record);
            closed.addAll(added.closed());
            late += added.lateWindows();
            expected.add(record);
            if (i % 97 == 0) {
                EventTimeViews.Window<LabelledViewState> current = views.currentWindow();
                assertThat(current.state().classification().snapshot()).as("current window after record %d", i)
                        .isEqualTo(accumulatorOf(expected.current()).snapshot());
            }
        }

        assertThat(late).isEqualTo(expected.late).isPositive();
        assertThat(closed).hasSameSizeAs(expected.closed).hasSizeGreaterThan(10);
        for (int w = 0; w < closed.size(); w++) {
            assertThat(closed.get(w).start()).isEqualTo(expected.closed.get(w).getKey());
            assertThat(closed.get(w).end()).isEqualTo(expected.closed.get(w).getKey() + WINDOW);
            assertThat(closed.get(w).state().classification().snapshot()).as("window at %d", closed.get(w).start())
                    .isEqualTo(accumulatorOf(expected.closed.get(w).getValue()).snapshot());
        }
    }

    private ClassificationAccumulator accumulatorOf(List<LabelledPrediction> records) {
        ClassificationAccumulator accumulator = new ClassificationAccumulator(CifarShape.CLASSES, config.rocCellLimit());
        for (LabelledPrediction record : records) {
            accumulator.add(record.label(), record.logProbs());
        }
        return accumulator;
    }
}

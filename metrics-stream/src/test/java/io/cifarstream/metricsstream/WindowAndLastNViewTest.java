package io.cifarstream.metricsstream;

import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static io.cifarstream.metricsstream.TopologyHarness.confident;
import static io.cifarstream.metricsstream.TopologyHarness.prediction;
import static org.assertj.core.api.Assertions.assertThat;

/** Event-time windows with late records, and the count-based last-N view, worked out by hand. */
class WindowAndLastNViewTest {

    @TempDir
    Path stateDir;

    /**
     * Windows of 10 s every 5 s with 2 s grace; T0 is on the grid. Times in seconds after T0; W(s) = [s, s+10).
     * <pre>
     *   record  t   correct  windows        stream time  closes (end + 2 &lt;= stream time)
     *   r1      1   yes      W(-5), W(0)    1
     *   r2      6   no       W(0), W(5)     6
     *   r3      12  yes      W(5), W(10)    12           W(-5) {r1}, W(0) {r1, r2}
     *   r4      8   yes      W(0) late, W(5)            -
     *   r5      3   yes      W(-5) late, W(0) late      -
     * </pre>
     * Final snapshots: W(-5) count 1 accuracy 1; W(0) count 2 accuracy 1/2. Three late (record, window) pairs.
     * The current window (oldest still containing t = 12) is W(5) = {r2, r3, r4}: count 3, accuracy 2/3.
     * Late records still count in the cumulative view: 5 records.
     */
    @Test
    void windowsCloseAfterGraceAndDropOnlyTheirLateRecords() {
        try (TopologyHarness harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2), 100), stateDir)) {
            harness.send(prediction("m", "r1", confident(1, 0.9), 1, T0.plusSeconds(1)));
            harness.send(prediction("m", "r2", confident(1, 0.9), 2, T0.plusSeconds(6)));
            harness.send(prediction("m", "r3", confident(3, 0.9), 3, T0.plusSeconds(12)));
            harness.send(prediction("m", "r4", confident(4, 0.9), 4, T0.plusSeconds(8)));
            harness.send(prediction("m", "r5", confident(5, 0.9), 5, T0.plusSeconds(3)));

            List<MetricsSnapshot> finals = harness.snapshots();
            assertThat(finals).extracting(s -> s.getWindowStart().getEpochSecond() - T0.getEpochSecond(),
                            s -> s.getWindowEnd().getEpochSecond() - T0.getEpochSecond(), MetricsSnapshot::getCount,
                            MetricsSnapshot::getAccuracy)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(-5L, 5L, 1L, 1.0),
                            org.assertj.core.groups.Tuple.tuple(0L, 10L, 2L, 0.5));
            assertThat(harness.counters.count(StreamCounters.Event.LATE_FOR_WINDOW)).isEqualTo(3);

            harness.tick();
            ViewReport window = harness.report("m", MetricsView.WINDOW);
            assertThat(window.windowStart()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
            assertThat(window.windowEnd()).isEqualTo(T0.plusSeconds(15).toEpochMilli());
            assertThat(window.report().count()).isEqualTo(3);
            assertThat(window.report().accuracy()).isEqualTo(2.0 / 3);
            assertThat(harness.report("m", MetricsView.CUMULATIVE).report().count()).isEqualTo(5);
            assertThat(harness.report("m", MetricsView.CUMULATIVE).report().accuracy()).isEqualTo(4.0 / 5);
        }
    }

    /**
     * Last 3 of five records: r1 right, r2 wrong (true 2, predicted 7), r3 right, r4 right, r5 wrong (true 6,
     * predicted 0). The view holds r3, r4, r5: count 3, accuracy 2/3, and r2's confusion cell is empty again.
     */
    @Test
    void lastNKeepsExactlyTheNewestNRecords() {
        try (TopologyHarness harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 3), stateDir)) {
            harness.send(prediction("m", "r1", confident(1, 0.9), 1, T0));
            harness.send(prediction("m", "r2", confident(7, 0.9), 2, T0.plusSeconds(1)));
            harness.send(prediction("m", "r3", confident(3, 0.9), 3, T0.plusSeconds(2)));
            harness.send(prediction("m", "r4", confident(4, 0.9), 4, T0.plusSeconds(3)));
            harness.send(prediction("m", "r5", confident(0, 0.9), 6, T0.plusSeconds(4)));
            harness.tick();

            ViewReport last = harness.report("m", MetricsView.LAST_N);
            assertThat(last.report().count()).isEqualTo(3);
            assertThat(last.report().accuracy()).isEqualTo(2.0 / 3);
            assertThat(last.report().confusion().count(2, 7)).isZero();
            assertThat(last.report().confusion().count(6, 0)).isEqualTo(1);
            assertThat(harness.report("m", MetricsView.CUMULATIVE).report().count()).isEqualTo(5);
            assertThat(harness.report("m", MetricsView.CUMULATIVE).report().confusion().count(2, 7)).isEqualTo(1);
        }
    }
}

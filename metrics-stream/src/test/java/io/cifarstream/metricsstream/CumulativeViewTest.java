package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ClassificationReport;
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
import static org.assertj.core.api.Assertions.within;

/** The cumulative view against numbers worked out by hand. */
class CumulativeViewTest {

    @TempDir
    Path stateDir;

    /**
     * Four records of model m1, each "top class c with probability q, the other nine (1 - q) / 9":
     * <pre>
     *   image  true  c  q     p_0       p_1       p_2
     *   a      0     0  0.9   0.9       0.1/9     0.1/9
     *   b      0     1  0.6   0.4/9     0.6       0.4/9
     *   c      1     1  0.8   0.2/9     0.8       0.2/9
     *   d      2     0  0.7   0.7       0.3/9     0.3/9
     * </pre>
     */
    @Test
    void fourLabelledPredictionsGiveTheHandComputedReport() {
        try (TopologyHarness harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 100), stateDir)) {
            harness.send(prediction("m1", "a", confident(0, 0.9), 0, T0));
            harness.send(prediction("m1", "b", confident(1, 0.6), 0, T0.plusSeconds(1)));
            harness.send(prediction("m1", "c", confident(1, 0.8), 1, T0.plusSeconds(2)));
            harness.send(prediction("m1", "d", confident(0, 0.7), 2, T0.plusSeconds(3)));

            ClassificationReport report = harness.cumulative("m1");

            assertThat(report.count()).isEqualTo(4);
            // rows = true class: a (0->0), b (0->1), c (1->1), d (2->0)
            long[][] confusion = report.confusion().counts();
            assertThat(confusion[0]).startsWith(1, 1, 0);
            assertThat(confusion[1]).startsWith(0, 1, 0);
            assertThat(confusion[2]).startsWith(1, 0, 0);
            assertThat(report.accuracy()).isEqualTo(0.5);             // a and c right: 2 / 4
            // precision: class 0 column {a, d} -> 1/2; class 1 column {b, c} -> 1/2; class 2 never predicted -> 0
            assertThat(report.precision()).startsWith(0.5, 0.5, 0.0);
            // recall: class 0 row {a, b} -> 1/2; class 1 row {c} -> 1; class 2 row {d} -> 0
            assertThat(report.recall()).startsWith(0.5, 1.0, 0.0);
            // f1 = 2 tp / (row + column): class 0: 2/4; class 1: 2/3; class 2: 0
            assertThat(report.f1().get(0)).isEqualTo(0.5);
            assertThat(report.f1().get(1)).isCloseTo(2.0 / 3, within(1e-15));
            assertThat(report.f1Micro()).isEqualTo(0.5);
            assertThat(report.f1Macro()).isCloseTo((0.5 + 2.0 / 3) / 10, within(1e-15));  // over all 10 classes
            assertThat(report.f1Weighted()).isCloseTo((0.5 * 2 + 2.0 / 3 * 1 + 0 * 1) / 4, within(1e-15));
            // AUC class 0: positives a 0.9, b 0.044; negatives c 0.022, d 0.7.
            //   pairs (a,c) 1, (a,d) 1, (b,c) 1, (b,d) 0 -> 3/4
            assertThat(report.auc().get(0)).isEqualTo(0.75);
            // class 1: positive c 0.8 above every negative (0.011, 0.6, 0.033) -> 1
            assertThat(report.auc().get(1)).isEqualTo(1.0);
            // class 2: positive d 0.033; negatives a 0.011 (<), b 0.044 (>), c 0.022 (<) -> 2/3
            assertThat(report.auc().get(2)).isCloseTo(2.0 / 3, within(1e-15));
            // classes 3..9 have no positive: undefined, as sklearn
            assertThat(report.auc().subList(3, 10)).allMatch(auc -> auc.isNaN());
            assertThat(report.aucMacro()).isCloseTo((0.75 + 1 + 2.0 / 3) / 3, within(1e-15));
            // log-loss: -ln 0.9 - ln(0.4/9) - ln 0.8 - ln(0.3/9), over 4
            //   = (0.1053605 + 3.1135153 + 0.2231436 + 3.4011974) / 4 = 1.7108042
            assertThat(report.logLoss()).isCloseTo(1.7108042, within(1e-6));
        }
    }

    @Test
    void snapshotsGoOutAtMostOncePerIntervalPerViewAndOnlyWhenSomethingChanged() {
        try (TopologyHarness harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 100), stateDir)) {
            for (int i = 0; i < 50; i++) {
                harness.send(prediction("m1", "img-" + i, confident(i % 10, 0.5), i % 10, T0.plusMillis(i)));
            }
            harness.tick();
            List<MetricsSnapshot> first = harness.snapshots();
            assertThat(first).extracting(MetricsSnapshot::getView)
                    .containsExactlyInAnyOrder(MetricsView.CUMULATIVE, MetricsView.LAST_N, MetricsView.WINDOW);
            assertThat(first).allSatisfy(snapshot -> {
                assertThat(snapshot.getModelId()).isEqualTo("m1");
                assertThat(snapshot.getCount()).isEqualTo(50);
                assertThat(snapshot.getAccuracy()).isEqualTo(1.0);
            });

            harness.tick();
            assertThat(harness.snapshots()).as("nothing changed, nothing emitted").isEmpty();
        }
    }
}

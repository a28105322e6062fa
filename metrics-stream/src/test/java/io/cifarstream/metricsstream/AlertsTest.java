package io.cifarstream.metricsstream;

import io.cifarstream.schemas.Alert;
import io.cifarstream.schemas.AlertState;
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

/**
 * Alert rules evaluated on each report of their view: an alert on the alerts topic when one fires and when it
 * resolves, never in between, and the rule's state in the view's report.
 */
class AlertsTest {

    private static final String MODEL = "m";

    @TempDir
    Path stateDir;

    private final MetricsConfig config = TopologyHarness.config(Duration.ofMinutes(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), 20).withAlertRules(List.of(
                    AlertRule.parse("estimate-low: estimated_accuracy in last < 0.5 for 2 clear 2"),
                    AlertRule.parse("few: count in cumulative < 1000")));

    private int sent;

    /** Twenty predictions whose top class has probability {@code q} (a tenth of them labelled), then an emit interval. */
    private void twenty(TopologyHarness harness, double q) {
        for (int i = 0; i < 20; i++, sent++) {
            harness.send(prediction(MODEL, "img-" + sent, confident(sent % 10, q), sent % 10 == 0 ? 0 : null,
                    T0.plusMillis(100L * sent)));
        }
        harness.tick();
    }

    @Test
    void anAlertFiresAfterItsCountAndResolvesAfterItsClearCountOncePerChange() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, "v1", TopologyHarness.calibratedReference()), T0);
            twenty(harness, 0.15);
            assertThat(harness.alerts()).extracting(Alert::getRule).as("count holds at once; one low estimate is not enough")
                    .containsExactly("few");
            ViewReport last = harness.report(MODEL, MetricsView.LAST_N);
            assertThat(last.alerts()).singleElement().satisfies(status -> {
                assertThat(status.rule()).isEqualTo("estimate-low");
                assertThat(status.state()).isEqualTo(AlertStatus.OK);
                assertThat(status.value()).isEqualTo(last.monitoring().estimates().estimatedAccuracy()).isLessThan(0.5);
            });

            harness.tick();
            harness.tick();
            assertThat(harness.alerts()).as("no new predictions: the view is not evaluated again").isEmpty();

            twenty(harness, 0.15);
            Alert fired = harness.alerts().get(0);
            assertThat(fired.getRule()).isEqualTo("estimate-low");
            assertThat(fired.getState()).isEqualTo(AlertState.FIRING);
            assertThat(fired.getModelId()).isEqualTo(MODEL);
            assertThat(fired.getView()).isEqualTo(MetricsView.LAST_N);
            assertThat(fired.getMetric()).isEqualTo("estimated_accuracy");
            assertThat(fired.getThreshold()).isEqualTo(0.5);
            assertThat(fired.getTime().toEpochMilli()).as("the model's stream time").isEqualTo(T0.plusMillis(3900).toEpochMilli());
            assertThat(fired.getMessage()).contains("estimated_accuracy in last of m = 0.", "< 0.5", "2 evaluation(s)");
            assertThat(harness.report(MODEL, MetricsView.LAST_N).alerts().get(0).firing()).isTrue();

            twenty(harness, 0.15);
            twenty(harness, 0.999999);
            assertThat(harness.alerts()).as("still firing, then one clear evaluation").isEmpty();
            twenty(harness, 0.999999);
            assertThat(harness.alerts()).extracting(Alert::getRule, Alert::getState)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("estimate-low", AlertState.RESOLVED));
            AlertStatus resolved = harness.report(MODEL, MetricsView.LAST_N).alerts().get(0);
            assertThat(resolved.state()).isEqualTo(AlertStatus.OK);
            assertThat(resolved.changedTime()).isEqualTo(T0.plusMillis(9900).toEpochMilli());
        }
    }

    @Test
    void aRuleOnAFigureTheModelLacksIsNeverEvaluated() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            twenty(harness, 0.15);
            twenty(harness, 0.15);
            assertThat(harness.alerts()).extracting(Alert::getRule).as("no reference: no estimate to compare")
                    .containsExactly("few");
            assertThat(harness.report(MODEL, MetricsView.LAST_N).alerts().get(0).value()).isNull();
        }
    }
}

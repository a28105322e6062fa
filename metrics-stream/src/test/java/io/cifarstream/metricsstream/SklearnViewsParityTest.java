package io.cifarstream.metricsstream;

import io.cifarstream.schemas.CifarShape;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every view of the topology against scikit-learn 1.2. Two models score 360 images; their true classes come
 * inline, on the labels topic before, between and after the predictions; some predictions and labels arrive
 * seconds or a minute and more late, so hopping windows (1 min every 10 s, 10 s grace) close and drop late
 * records. Inputs, arrival order and sklearn's numbers per view (cumulative, each closed window, the current
 * window, the last 100) come from {@code src/test/python/make_topology_fixture.py}, whose header says how the
 * fixture is made and regenerated. Counts and confusion matrices must be identical, floats within 1e-9.
 */
class SklearnViewsParityTest {

    private static final String FIXTURE = "topology-sklearn-fixture.json";
    private static final double TOLERANCE = 1e-9;

    private static JsonNode fixture;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void readFixture() throws IOException {
        try (InputStream in = SklearnViewsParityTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE + " on the test classpath").isNotNull();
            fixture = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        }
    }

    @Test
    void everyViewOfBothModelsHasSklearnsNumbers() {
        JsonNode settings = fixture.get("config");
        MetricsConfig config = TopologyHarness.config(millis(settings, "window_ms"), millis(settings, "advance_ms"),
                        millis(settings, "grace_ms"), settings.get("last_n").asInt())
                .withLabelWait(millis(settings, "label_wait_ms"));
        JsonNode expected = fixture.get("expected");
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            int predictions = pipeEvents(harness);

            // Before any wall-clock tick the only snapshots are the final ones of closed windows.
            Map<String, Map<Long, MetricsSnapshot>> closed = new TreeMap<>();
            for (MetricsSnapshot snapshot : harness.snapshots()) {
                assertThat(snapshot.getView()).isEqualTo(MetricsView.WINDOW);
                Map<Long, MetricsSnapshot> byStart = closed.computeIfAbsent(snapshot.getModelId(), m -> new TreeMap<>());
                assertThat(byStart.put(snapshot.getWindowStart().toEpochMilli(), snapshot))
                        .as("one final snapshot per window").isNull();
            }
            harness.tick();

            List<String> models = new ArrayList<>();
            expected.fieldNames().forEachRemaining(models::add);
            assertThat(closed.keySet()).as("models with closed windows").containsExactlyElementsOf(models);
            long latePairs = 0;
            for (String model : models) {
                JsonNode views = expected.get(model);
                latePairs += views.get("late_pairs").asLong();
                assertSame(model + " cumulative", views.get("cumulative"),
                        Numbers.of(harness.report(model, MetricsView.CUMULATIVE).report()));
                assertSame(model + " last " + settings.get("last_n"), views.get("last"),
                        Numbers.of(harness.report(model, MetricsView.LAST_N).report()));

                List<Long> starts = new ArrayList<>();
                views.get("closed_windows").forEach(window -> starts.add(window.get("start").asLong()));
                assertThat(closed.get(model).keySet()).as(model + " closed windows").containsExactlyElementsOf(starts);
                for (JsonNode window : views.get("closed_windows")) {
                    MetricsSnapshot snapshot = closed.get(model).get(window.get("start").asLong());
                    String what = model + " window " + Instant.ofEpochMilli(window.get("start").asLong());
                    assertThat(snapshot.getWindowEnd().toEpochMilli()).as(what).isEqualTo(window.get("end").asLong());
                    assertSame(what, window, Numbers.of(snapshot));
                }

                JsonNode current = views.get("current_window");
                ViewReport window = harness.report(model, MetricsView.WINDOW);
                assertThat(window.windowStart()).as(model + " current window").isEqualTo(current.get("start").asLong());
                assertThat(window.windowEnd()).isEqualTo(current.get("end").asLong());
                assertSame(model + " current window", current, Numbers.of(window.report()));
            }
            assertThat(harness.counters.count(StreamCounters.Event.COUNTED)).isEqualTo(predictions);
            assertThat(harness.counters.count(StreamCounters.Event.LATE_FOR_WINDOW)).isEqualTo(latePairs);
            assertThat(harness.deadLetters()).isEmpty();
        }
    }

    /** Pipes the fixture's events in their arrival order. @return how many predictions */
    private static int pipeEvents(TopologyHarness harness) {
        int predictions = 0;
        for (JsonNode event : fixture.get("events")) {
            if (event.get(0).asText().equals("P")) {
                float[] logProbs = new float[CifarShape.CLASSES];
                for (int k = 0; k < logProbs.length; k++) {
                    // Shortest decimal of a float32, parsed straight to float: one rounding, the same value.
                    logProbs[k] = Float.parseFloat(event.get(6).get(k).asText());
                }
                Integer label = event.get(3).isNull() ? null : event.get(3).asInt();
                harness.send(TopologyHarness.prediction(event.get(1).asText(), event.get(2).asText(), logProbs, label,
                        Instant.ofEpochMilli(event.get(4).asLong())), Instant.ofEpochMilli(event.get(5).asLong()));
                predictions++;
            } else {
                harness.sendLabel(event.get(1).asText(), event.get(2).asInt(), Instant.ofEpochMilli(event.get(3).asLong()));
            }
        }
        return predictions;
    }

    /** What a snapshot and a report have in common, so that both compare to sklearn one way. */
    private record Numbers(long count, long[][] confusion, double accuracy, double f1Micro, double f1Macro,
            double f1Weighted, List<Double> precision, List<Double> recall, List<Double> f1, List<Double> auc,
            double aucMacro, double logLoss) {

        static Numbers of(ClassificationReport report) {
            return new Numbers(report.count(), report.confusion().counts(), report.accuracy(), report.f1Micro(),
                    report.f1Macro(), report.f1Weighted(), report.precision(), report.recall(), report.f1(),
                    report.auc(), report.aucMacro(), report.logLoss());
        }

        static Numbers of(MetricsSnapshot snapshot) {
            int n = CifarShape.CLASSES;
            long[][] confusion = new long[n][n];
            for (int cell = 0; cell < n * n; cell++) {
                confusion[cell / n][cell % n] = snapshot.getConfusion().get(cell);
            }
            return new Numbers(snapshot.getCount(), confusion, snapshot.getAccuracy(), snapshot.getF1Micro(),
                    snapshot.getF1Macro(), snapshot.getF1Weighted(), snapshot.getPrecision(), snapshot.getRecall(),
                    snapshot.getF1(), snapshot.getAuc(), snapshot.getAucMacro(), snapshot.getLogLoss());
        }
    }

    private static void assertSame(String what, JsonNode sklearn, Numbers actual) {
        assertThat(actual.count()).as(what + " count").isEqualTo(sklearn.get("count").asLong());
        for (int t = 0; t < CifarShape.CLASSES; t++) {
            for (int p = 0; p < CifarShape.CLASSES; p++) {
                assertThat(actual.confusion()[t][p]).as("%s confusion true %d predicted %d", what, t, p)
                        .isEqualTo(sklearn.get("confusion").get(t).get(p).asLong());
            }
        }
        assertClose(what + " accuracy", actual.accuracy(), sklearn.get("accuracy"));
        assertClose(what + " f1_micro", actual.f1Micro(), sklearn.get("f1_micro"));
        assertClose(what + " f1_macro", actual.f1Macro(), sklearn.get("f1_macro"));
        assertClose(what + " f1_weighted", actual.f1Weighted(), sklearn.get("f1_weighted"));
        assertClose(what + " auc_macro", actual.aucMacro(), sklearn.get("auc_macro"));
        assertClose(what + " log_loss", actual.logLoss(), sklearn.get("log_loss"));
        for (int k = 0; k < CifarShape.CLASSES; k++) {
            assertClose(what + " precision " + k, actual.precision().get(k), sklearn.get("precision").get(k));
            assertClose(what + " recall " + k, actual.recall().get(k), sklearn.get("recall").get(k));
            assertClose(what + " f1 " + k, actual.f1().get(k), sklearn.get("f1").get(k));
            assertClose(what + " auc " + k, actual.auc().get(k), sklearn.get("auc").get(k));
        }
    }

    /** sklearn's null (an AUC where the view lacks positives or negatives) is our NaN. */
    private static void assertClose(String what, double actual, JsonNode sklearn) {
        if (sklearn.isNull()) {
            assertThat(actual).as(what + " (undefined in sklearn)").isNaN();
        } else {
            assertThat(actual).as(what).isCloseTo(sklearn.asDouble(), within(TOLERANCE));
        }
    }

    private static Duration millis(JsonNode node, String field) {
        return Duration.ofMillis(node.get(field).asLong());
    }
}

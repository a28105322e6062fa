package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.Drift;
import io.cifarstream.metrics.DriftAccumulator;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.testkit.SyntheticPredictions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The label-free estimates, the drift checks and the calibration metrics of every view, through the whole topology,
 * equal metrics-core's accumulators fed the same predictions: the estimates and drift every prediction of the
 * reference's version (labelled or not, in the order the stream first saw them), the calibration metrics every
 * labelled one (in the order they were counted); windows by the definition applied record by record.
 */
class MonitoringViewsTest {

    private static final long WINDOW = 30_000;
    private static final long ADVANCE = 10_000;
    private static final long GRACE = 5_000;
    private static final int LAST = 50;
    private static final String MODEL = "m";

    @TempDir
    Path stateDir;

    private final SyntheticPredictions scores = new SyntheticPredictions(7);
    private final Calibration calibration = scores.reference(2_000);
    private final MetricsConfig config = TopologyHarness.config(Duration.ofMillis(WINDOW), Duration.ofMillis(ADVANCE),
            Duration.ofMillis(GRACE), LAST);

    /** A prediction as the test sent it. */
    private record Sent(int index, int label, float[] logProbs, float[] statistics, long eventTime) {
    }

    /** What the test sent: predictions in the order the stream saw them, labelled ones in the order they were counted. */
    private static final class Stream {
        final List<Sent> predictions = new ArrayList<>();
        final List<Sent> labelled = new ArrayList<>();
    }

    /**
     * 600 predictions, 200 ms apart in event time, some 3 s late (within grace), some 40 s late (past it for some
     * windows); a third labelled inline, a third labelled through the labels topic three predictions later, a third
     * never; every eleventh without image statistics.
     */
    private Stream send(TopologyHarness harness, boolean labels) {
        Stream stream = new Stream();
        List<Sent> awaitingLabel = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Instant arrival = T0.plusMillis(200L * i);
            Instant eventTime = i % 97 == 5 ? arrival.minusSeconds(40) : i % 25 == 3 ? arrival.minusSeconds(3) : arrival;
            int label = i % 10;
            boolean inline = labels && i % 3 == 0;
            Prediction prediction = scores.prediction(MODEL, "img-" + i, i, label, inline, eventTime);
            if (i % 11 == 0) {
                prediction = Prediction.newBuilder(prediction).setChannelMeans(null).setChannelStds(null).build();
            }
            harness.send(prediction, arrival);
            Sent sent = new Sent(i, label, scores.logProbs(i, label), i % 11 == 0 ? null : scores.imageStatistics(i),
                    eventTime.toEpochMilli());
            stream.predictions.add(sent);
            if (inline) {
                stream.labelled.add(sent);
            }
            if (labels && i % 3 == 1) {
                awaitingLabel.add(sent);
            }
            if (!awaitingLabel.isEmpty() && awaitingLabel.get(0).index() + 3 <= i) {
                Sent late = awaitingLabel.remove(0);
                harness.sendLabel("img-" + late.index(), late.label(), arrival);
                stream.labelled.add(late);
            }
            if (i % 40 == 39) {
                harness.tick();
            }
        }
        harness.tick();
        return stream;
    }

    @Test
    void everyViewsEstimatesDriftAndCalibrationEqualMetricsCoreOverTheSamePredictions() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, scores.version(), calibration), T0);
            Stream stream = send(harness, true);

            ViewReport cumulative = harness.report(MODEL, MetricsView.CUMULATIVE);
            assertEstimates(cumulative, stream.predictions);
            assertCalibration(cumulative, stream.labelled);
            assertThat(cumulative.monitoring().estimates().count()).isEqualTo(600);
            assertThat(cumulative.monitoring().calibration().count()).isEqualTo(cumulative.report().count())
                    .isEqualTo(stream.labelled.size());

            ViewReport last = harness.report(MODEL, MetricsView.LAST_N);
            assertEstimates(last, stream.predictions.subList(600 - LAST, 600));
            assertCalibration(last, stream.labelled.subList(stream.labelled.size() - LAST, stream.labelled.size()));

            ViewReport window = harness.report(MODEL, MetricsView.WINDOW);
            assertEstimates(window, inWindow(stream.predictions, window.monitoring().estimateWindowStart()));
            assertCalibration(window, inWindow(stream.labelled, window.windowStart()));
            assertThat(window.monitoring().estimateWindowEnd() - window.monitoring().estimateWindowStart()).isEqualTo(WINDOW);
            assertThat(window.monitoring().estimateWindowStart()).as("the newest window of predictions")
                    .isEqualTo(Math.floorDiv(stream.predictions.stream().mapToLong(Sent::eventTime).max().orElseThrow(),
                            ADVANCE) * ADVANCE - WINDOW + ADVANCE);

            assertThat(cumulative.monitoring().reference().modelVersion()).isEqualTo(scores.version());
            assertThat(cumulative.monitoring().reference().temperature()).isEqualTo(calibration.temperature());
            assertThat(cumulative.monitoring().referenceMissing()).isNull();
            assertThat(cumulative.monitoring().accuracyGap(cumulative.report().accuracy()))
                    .isEqualTo(cumulative.monitoring().estimates().estimatedAccuracy() - cumulative.report().accuracy());
        }
    }

    @Test
    void everyClosedWindowsFinalSnapshotCarriesTheEstimatesOfItsPredictions() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, scores.version(), calibration), T0);
            Stream stream = send(harness, true);
            long streamTime = stream.predictions.stream().mapToLong(Sent::eventTime).max().orElseThrow();

            Map<Long, MetricsSnapshot> lastByWindow = new LinkedHashMap<>();
            for (MetricsSnapshot snapshot : harness.snapshots()) {
                if (snapshot.getView() == MetricsView.WINDOW && snapshot.getEstimateWindowStart() != null) {
                    lastByWindow.put(snapshot.getEstimateWindowStart().toEpochMilli(), snapshot);
                }
            }
            List<Long> closed = lastByWindow.keySet().stream().filter(start -> start + WINDOW + GRACE <= streamTime).toList();
            assertThat(closed).hasSizeGreaterThan(8);
            for (long start : closed) {
                MetricsSnapshot snapshot = lastByWindow.get(start);
                ConfidenceEstimate expected = estimates(finalContents(stream.predictions, start)).snapshot();
                assertThat(snapshot.getEstimateCount()).as("window at %d", start).isEqualTo(expected.count());
                assertThat(snapshot.getEstimatedAccuracy()).isEqualTo(expected.estimatedAccuracy());
                assertThat(snapshot.getEstimatedAccuracyAc()).isEqualTo(expected.estimatedAccuracyAc());
                assertThat(snapshot.getEstimatedAccuracyAtc()).isEqualTo(expected.estimatedAccuracyAtc());
                assertThat(snapshot.getEstimatedF1Macro()).isEqualTo(expected.estimatedF1Macro());
                assertThat(snapshot.getEstimatedConfusion())
                        .isEqualTo(expected.estimatedConfusion().stream().flatMap(List::stream).toList());
                Drift drift = drift(finalContents(stream.predictions, start)).drift(calibration);
                drift.checks().forEach(check -> assertThat(snapshot.getDrift().get(check.name()).getStatistic())
                        .as("%s of the window at %d", check.name(), start).isEqualTo(check.statistic()));
            }
        }
    }

    @Test
    void theEstimatesAndDriftReadNoLabel() {
        ViewReport withLabels;
        ViewReport without;
        try (TopologyHarness harness = new TopologyHarness(config, stateDir.resolve("labelled"))) {
            harness.sendReference(TopologyHarness.reference(MODEL, scores.version(), calibration), T0);
            send(harness, true);
            withLabels = harness.report(MODEL, MetricsView.CUMULATIVE);
        }
        try (TopologyHarness harness = new TopologyHarness(config, stateDir.resolve("unlabelled"))) {
            harness.sendReference(TopologyHarness.reference(MODEL, scores.version(), calibration), T0);
            send(harness, false);
            without = harness.report(MODEL, MetricsView.CUMULATIVE);
        }
        assertThat(without.report().count()).isZero();
        assertThat(without.monitoring().calibration().count()).isZero();
        assertThat(without.monitoring().estimates()).isEqualTo(withLabels.monitoring().estimates());
        assertThat(without.monitoring().drift()).isEqualTo(withLabels.monitoring().drift());
    }

    @Test
    void theMetricsTopicCarriesWhatTheApiShows() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, scores.version(), calibration), T0);
            send(harness, true);
            List<MetricsSnapshot> snapshots = harness.snapshots();
            MetricsSnapshot snapshot = snapshots.stream().filter(s -> s.getView() == MetricsView.CUMULATIVE)
                    .reduce((first, second) -> second).orElseThrow();
            ViewReport report = harness.report(MODEL, MetricsView.CUMULATIVE);
            // Avro's generated equals finds a NaN unequal to itself (a distance's p-value): compare the text.
            assertThat(text(snapshot)).isEqualTo(text(report.toSnapshot()));
            assertThat(snapshot.getReferenceVersion()).isEqualTo(scores.version());
            assertThat(snapshot.getTemperature()).isEqualTo(calibration.temperature());
            assertThat(snapshot.getEstimatedAccuracy()).isEqualTo(report.monitoring().estimates().estimatedAccuracy());
            assertThat(snapshot.getEce()).isEqualTo(report.monitoring().calibration().ece());
            assertThat(snapshot.getBrier()).isEqualTo(report.monitoring().calibration().brier());
            assertThat(snapshot.getReliability()).hasSize(15);
            assertThat(snapshot.getDrift().keySet()).containsExactlyInAnyOrderElementsOf(
                    report.monitoring().drift().checks().stream().map(io.cifarstream.metrics.DriftCheck::name).toList());
        }
    }

    /** The snapshot's text, drift checks in name order (it sorts them in place). */
    private static String text(MetricsSnapshot snapshot) {
        snapshot.setDrift(new java.util.TreeMap<>(snapshot.getDrift()));
        return snapshot.toString();
    }

    private void assertEstimates(ViewReport report, List<Sent> predictions) {
        assertThat(report.monitoring().estimates()).as("estimates of the %s view", report.view())
                .isEqualTo(estimates(predictions).snapshot());
        assertThat(report.monitoring().drift()).as("drift of the %s view", report.view())
                .isEqualTo(drift(predictions).drift(calibration));
    }

    private void assertCalibration(ViewReport report, List<Sent> labelled) {
        CalibrationErrorAccumulator expected = new CalibrationErrorAccumulator(calibration);
        labelled.forEach(sent -> expected.add(sent.label(), sent.logProbs()));
        assertThat(report.monitoring().calibration()).as("calibration metrics of the %s view", report.view())
                .isEqualTo(expected.snapshot());
    }

    private ConfidenceEstimateAccumulator estimates(List<Sent> predictions) {
        ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(calibration);
        predictions.forEach(sent -> estimates.add(sent.logProbs()));
        return estimates;
    }

    private DriftAccumulator drift(List<Sent> predictions) {
        DriftAccumulator drift = new DriftAccumulator(calibration);
        predictions.forEach(sent -> drift.add(sent.logProbs(), sent.statistics()));
        return drift;
    }

    /** The records of the open window starting at {@code start}: every one with its event time in it. */
    private static List<Sent> inWindow(List<Sent> records, long start) {
        return records.stream().filter(r -> r.eventTime() >= start && r.eventTime() < start + WINDOW).toList();
    }

    /**
     * The records of a window that closed, by the definition: each one in its span that came while the window was
     * open (its end + grace after the largest event time seen, that record's included).
     */
    private static List<Sent> finalContents(List<Sent> records, long start) {
        List<Sent> contents = new ArrayList<>();
        long streamTime = Long.MIN_VALUE;
        for (Sent record : records) {
            streamTime = Math.max(streamTime, record.eventTime());
            if (record.eventTime() >= start && record.eventTime() < start + WINDOW && start + WINDOW + GRACE > streamTime) {
                contents.add(record);
            }
        }
        return contents;
    }
}

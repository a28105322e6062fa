package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.testkit.SyntheticPredictions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model's reference decides what is estimated: predictions of the version it was made for, from when it arrived.
 * Without one, or for another version, the report says why and shows no estimates; a new reference starts the
 * estimates and the calibration metrics afresh; a withdrawn one ends them; an unusable one is a dead letter.
 */
class ModelReferenceTest {

    private static final String MODEL = "m";

    @TempDir
    Path stateDir;

    private final SyntheticPredictions scores = new SyntheticPredictions(3);
    private final Calibration calibration = scores.reference(1_000);
    private final MetricsConfig config = TopologyHarness.config(Duration.ofMinutes(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), 100);

    private void send(TopologyHarness harness, int from, int to, String version) {
        for (int i = from; i < to; i++) {
            Prediction prediction = scores.prediction(MODEL, "img-" + i, i, i % 10, true, T0.plusMillis(100L * i));
            harness.send(Prediction.newBuilder(prediction).setModelVersion(version).build());
        }
        harness.tick();
    }

    private ConfidenceEstimateAccumulator estimates(Calibration reference, int from, int to) {
        ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(reference);
        for (int i = from; i < to; i++) {
            estimates.add(scores.logProbs(i, i % 10));
        }
        return estimates;
    }

    @Test
    void withoutAReferenceTheReportSaysWhyAndHasNoEstimates() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            send(harness, 0, 20, "v1");
            ViewReport report = harness.report(MODEL, MetricsView.CUMULATIVE);
            assertThat(report.report().count()).isEqualTo(20);
            assertThat(report.monitoring().reference()).isNull();
            assertThat(report.monitoring().referenceMissing()).contains("no reference for model m", "v1");
            assertThat(report.monitoring().estimates()).isNull();
            assertThat(report.monitoring().drift()).isNull();
            assertThat(report.monitoring().calibration()).isNull();
            assertThat(report.toJson()).contains("\"reference\":null", "\"estimated_accuracy\":null", "\"drift\":null");
            MetricsSnapshot snapshot = harness.snapshots().get(0);
            assertThat(snapshot.getReferenceVersion()).isNull();
            assertThat(snapshot.getReferenceMissing()).contains("no reference");
            assertThat(snapshot.getEstimatedAccuracy()).isNull();
            assertThat(harness.counters.count(StreamCounters.Event.WITHOUT_REFERENCE)).isEqualTo(20);
        }
    }

    @Test
    void predictionsOfAnotherVersionAreLeftOutAndTheReportSaysSo() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, "v1", calibration), T0);
            send(harness, 0, 30, "v1");
            send(harness, 30, 40, "v2");
            ViewReport report = harness.report(MODEL, MetricsView.CUMULATIVE);
            assertThat(report.report().count()).as("the labelled metrics count every version").isEqualTo(40);
            assertThat(report.monitoring().estimates()).isEqualTo(estimates(calibration, 0, 30).snapshot());
            assertThat(report.monitoring().calibration().count()).isEqualTo(30);
            assertThat(report.monitoring().referenceMissing()).contains("reference is for version v1", "of v2");
            assertThat(harness.counters.count(StreamCounters.Event.WITHOUT_REFERENCE)).isEqualTo(10);
        }
    }

    @Test
    void aNewReferenceStartsTheEstimatesAndTheCalibrationMetricsAfresh() {
        Calibration second = new SyntheticPredictions(4).reference(1_000);
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, "v1", calibration), T0);
            send(harness, 0, 30, "v1");
            harness.sendReference(TopologyHarness.reference(MODEL, "v1", calibration), T0.plusSeconds(3));
            send(harness, 30, 40, "v1");
            assertThat(harness.report(MODEL, MetricsView.CUMULATIVE).monitoring().estimates().count())
                    .as("the same reference again changes nothing").isEqualTo(40);

            harness.sendReference(TopologyHarness.reference(MODEL, "v2", second), T0.plusSeconds(4));
            send(harness, 40, 65, "v2");
            ViewReport report = harness.report(MODEL, MetricsView.CUMULATIVE);
            assertThat(report.report().count()).isEqualTo(65);
            assertThat(report.monitoring().reference().modelVersion()).isEqualTo("v2");
            assertThat(report.monitoring().estimates()).isEqualTo(estimates(second, 40, 65).snapshot());
            CalibrationErrorAccumulator calibrated = new CalibrationErrorAccumulator(second);
            for (int i = 40; i < 65; i++) {
                calibrated.add(i % 10, scores.logProbs(i, i % 10));
            }
            assertThat(report.monitoring().calibration()).isEqualTo(calibrated.snapshot());
            assertThat(harness.report(MODEL, MetricsView.LAST_N).monitoring().calibration())
                    .as("the last 100 labelled records, those since the reference").isEqualTo(calibrated.snapshot());
            assertThat(harness.report(MODEL, MetricsView.LAST_N).report().count()).isEqualTo(65);
        }
    }

    @Test
    void aTombstoneWithdrawsTheReference() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, "v1", calibration), T0);
            send(harness, 0, 10, "v1");
            harness.sendReferenceBytes(MODEL, null, T0.plusSeconds(2));
            send(harness, 10, 20, "v1");
            ViewReport report = harness.report(MODEL, MetricsView.CUMULATIVE);
            assertThat(report.monitoring().reference()).isNull();
            assertThat(report.monitoring().estimates()).isNull();
            assertThat(report.report().count()).isEqualTo(20);
        }
    }

    @Test
    void anUnusableReferenceIsADeadLetterAndChangesNothing() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference(MODEL, "v1", calibration), T0);
            ModelReference notJson = TopologyHarness.reference(MODEL, "v2", calibration);
            notJson.setCalibrationJson("{\"version\": 1, \"num_classes\": 10}");
            harness.sendReference(notJson, T0.plusSeconds(1));
            ModelReference misfiled = TopologyHarness.reference("other", "v2", calibration);
            harness.sendReferenceBytes(MODEL, AvroSerde.modelReferences().serializer().serialize("r", misfiled),
                    T0.plusSeconds(1));
            harness.sendReferenceBytes(MODEL, new byte[] {1, 2, 3}, T0.plusSeconds(1));
            send(harness, 0, 10, "v1");

            assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorKind).containsExactly(
                    DeadLetterKind.BAD_REFERENCE.name(), DeadLetterKind.KEY_MISMATCH.name(),
                    DeadLetterKind.NOT_AVRO_SINGLE_OBJECT.name());
            assertThat(harness.report(MODEL, MetricsView.CUMULATIVE).monitoring().estimates())
                    .isEqualTo(estimates(calibration, 0, 10).snapshot());
        }
    }

    @Test
    void aPredictionWithMalformedImageStatisticsIsADeadLetter() {
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            Prediction good = scores.prediction(MODEL, "img-1", 1, 1, true, T0);
            harness.send(Prediction.newBuilder(good).setChannelStds(null).build());
            harness.send(Prediction.newBuilder(scores.prediction(MODEL, "img-2", 2, 2, true, T0))
                    .setChannelMeans(java.util.List.of(0.5f, Float.NaN, 0.5f)).build());
            harness.send(Prediction.newBuilder(scores.prediction(MODEL, "img-3", 3, 3, true, T0))
                    .setChannelMeans(java.util.List.of(0.5f)).build());
            harness.send(Prediction.newBuilder(scores.prediction(MODEL, "img-4", 4, 4, true, T0))
                    .setImageDetail(null).build());
            harness.send(Prediction.newBuilder(scores.prediction(MODEL, "img-5", 5, 5, true, T0))
                    .setImageChroma(Float.POSITIVE_INFINITY).build());
            assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorKind)
                    .containsOnly(DeadLetterKind.BAD_IMAGE_STATISTICS.name()).hasSize(5);
        }
    }
}

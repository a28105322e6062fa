package io.cifarstream.metricsstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.DriftAccumulator;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The service on a real broker with exactly-once: the live numbers equal the offline ones, with labels and without. */
@ExtendWith(KafkaBrokerExtension.class)
class MetricsServiceBrokerTest {

    private static final int MONITORED = 6_000;

    @TempDir
    Path stateDir;

    @Test
    void tenThousandPredictionsOfTheTestSplitGiveTheOfflineNumbers(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        MetricsService.Options options = options(broker, fixture.topics, stateDir);
        try (MetricsService service = MetricsService.start(options)) {
            fixture.produce(broker.settings(), 0, 10_000);

            ViewReport live = BrokerFixture.awaitCumulative(service.httpAddress(), 10_000, Duration.ofMinutes(3));

            ClassificationAccumulator offline = fixture.offline(10_000);
            ClassificationReport expected = offline.snapshot();
            ClassificationReport actual = live.report();
            assertThat(actual.confusion()).isEqualTo(expected.confusion());
            assertThat(actual.accuracy()).isEqualTo(expected.accuracy());
            assertThat(actual.f1Macro()).isEqualTo(expected.f1Macro());
            for (int k = 0; k < 10; k++) {
                assertThat(actual.auc().get(k)).isCloseTo(expected.auc().get(k), within(1e-9));
            }
            assertThat(actual.aucMacro()).isCloseTo(expected.aucMacro(), within(1e-9));
            assertThat(actual.logLoss()).isCloseTo(expected.logLoss(), within(1e-12));

            URI api = service.httpAddress();
            assertThat(BrokerFixture.get(api.resolve("/api/models"))).isEqualTo("[\"" + BrokerFixture.MODEL + "\"]");
            JsonNode last = BrokerFixture.json().readTree(BrokerFixture.get(api.resolve("/api/models/" + BrokerFixture.MODEL + "?view=last")));
            assertThat(last.get("count").asLong()).isEqualTo(1000);
            assertThat(last.get("view").asText()).isEqualTo("last");
            assertThat(BrokerFixture.status(api.resolve("/api/models/nobody"))).isEqualTo(404);
            assertThat(BrokerFixture.status(api.resolve("/api/models/" + BrokerFixture.MODEL + "?view=weekly"))).isEqualTo(400);
            assertThat(BrokerFixture.get(api.resolve("/metrics")))
                    .contains("cifar_model_count{model=\"cifar-cnn\",view=\"cumulative\"} 10000")
                    .contains("cifar_stream_predictions_counted_total 10000");
        }
    }

    /**
     * With a model reference: the live label-free estimates, drift checks and calibration metrics equal
     * metrics-core's accumulators over the same predictions, and /metrics exports them.
     */
    @Test
    void theLiveEstimatesDriftAndCalibrationEqualMetricsCoreOverTheSamePredictions(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        Calibration reference = fixture.scores.reference(2_000);
        try (MetricsService service = MetricsService.start(options(broker, fixture.topics, stateDir))) {
            fixture.produceReference(broker.settings(), reference);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (service.counters().count(StreamCounters.Event.REFERENCE_READ) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100); // the reference goes ahead of the predictions on the by-model topic
            }
            fixture.produce(broker.settings(), 0, MONITORED);
            ViewReport live = BrokerFixture.awaitCumulative(service.httpAddress(), MONITORED, Duration.ofMinutes(3));

            ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(reference);
            DriftAccumulator drift = new DriftAccumulator(reference);
            CalibrationErrorAccumulator calibration = new CalibrationErrorAccumulator(reference);
            for (int i = 0; i < MONITORED; i++) {
                int label = fixture.images.label(i);
                float[] logProbs = fixture.scores.logProbs(i, label);
                estimates.add(logProbs);
                drift.add(logProbs, fixture.scores.imageStatistics(i));
                calibration.add(label, logProbs);
            }
            assertThat(live.monitoring().reference().modelVersion()).isEqualTo(fixture.scores.version());
            assertThat(live.monitoring().estimates()).isEqualTo(estimates.snapshot());
            assertThat(live.monitoring().drift()).isEqualTo(drift.drift(reference));
            assertThat(live.monitoring().calibration()).isEqualTo(calibration.snapshot());

            String metrics = BrokerFixture.get(service.httpAddress().resolve("/metrics"));
            assertThat(metrics).contains("cifar_model_estimated_accuracy{model=\"cifar-cnn\",view=\"cumulative\"} "
                            + estimates.snapshot().estimatedAccuracy(),
                    "cifar_model_ece{model=\"cifar-cnn\",view=\"cumulative\"} " + calibration.snapshot().ece(),
                    "cifar_model_drift_statistic{model=\"cifar-cnn\",view=\"cumulative\",check=\"confidence_js\"} "
                            + drift.drift(reference).check("confidence_js").statistic(),
                    "cifar_model_estimate_count{model=\"cifar-cnn\",view=\"cumulative\"} " + MONITORED,
                    "cifar_stream_predictions_scored_total " + MONITORED);
        }
    }

    /**
     * A stream thread that fails with an error a new thread would meet again (here: the metrics topic refuses every
     * snapshot as too large) stops the stream at once, which says why, instead of leaving an API that serves frozen
     * reports.
     */
    @Test
    void aStreamThreadErrorThatWouldComeBackStopsTheStreamWhichSaysWhy(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        new TopicSetup(broker.settings()).ensure(List.of(new TopicSpec(fixture.topics.metrics(), 1, Optional.empty(),
                Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "64"))));
        try (MetricsService service = MetricsService.start(options(broker, fixture.topics, stateDir))) {
            fixture.produce(broker.settings(), 0, 100);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (service.failure().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }

            assertThat(service.failure()).hasValueSatisfying(failure -> assertThat(failure)
                    .hasMessageStartingWith("The metrics stream stopped: a stream thread failed with an error that a new"
                            + " thread would meet again")
                    .hasMessageContaining("RecordTooLargeException")
                    .hasMessageContaining("starting it again resumes where it stopped"));
        }
    }

    static MetricsService.Options options(KafkaBroker broker, TopicNames topics, Path stateDir) {
        MetricsConfig config = MetricsConfig.defaults(topics).withEmitInterval(Duration.ofMillis(200))
                .withCheckpointRecords(500); // checkpoints and journal replay both happen in these tests
        return new MetricsService.Options(broker.settings(), config, topics.predictions() + "-app", stateDir,
                "127.0.0.1", 0, Map.of("commit.interval.ms", 200));
    }
}

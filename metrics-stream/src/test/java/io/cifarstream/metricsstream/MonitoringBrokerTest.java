package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationErrorAccumulator;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.DriftAccumulator;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service on a real broker with exactly-once and a model reference: the live label-free estimates, drift checks
 * and calibration metrics equal metrics-core's accumulators over the same predictions, and /metrics exports them.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MonitoringBrokerTest {

    private static final int RECORDS = 6_000;

    @TempDir
    Path stateDir;

    @Test
    void theLiveEstimatesDriftAndCalibrationEqualMetricsCoreOverTheSamePredictions(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        Calibration reference = fixture.scores.reference(2_000);
        try (MetricsService service = MetricsService.start(MetricsServiceBrokerTest.options(broker, fixture.topics, stateDir))) {
            fixture.produceReference(broker.settings(), reference);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (service.counters().count(StreamCounters.Event.REFERENCE_READ) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100); // the reference goes ahead of the predictions on the by-model topic
            }
            fixture.produce(broker.settings(), 0, RECORDS);
            ViewReport live = BrokerFixture.awaitCumulative(service.httpAddress(), RECORDS, Duration.ofMinutes(3));

            ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(reference);
            DriftAccumulator drift = new DriftAccumulator(reference);
            CalibrationErrorAccumulator calibration = new CalibrationErrorAccumulator(reference);
            for (int i = 0; i < RECORDS; i++) {
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
                    "cifar_model_estimate_count{model=\"cifar-cnn\",view=\"cumulative\"} " + RECORDS,
                    "cifar_stream_predictions_scored_total " + RECORDS);
        }
    }
}

package io.cifarstream.metricsstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The service on a real broker with exactly-once: the live numbers equal the offline ones. */
@ExtendWith(KafkaBrokerExtension.class)
class MetricsServiceBrokerTest {

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

    static MetricsService.Options options(KafkaBroker broker, TopicNames topics, Path stateDir) {
        MetricsConfig config = MetricsConfig.defaults(topics).withEmitInterval(Duration.ofMillis(200))
                .withCheckpointRecords(500); // checkpoints and journal replay both happen in these tests
        return new MetricsService.Options(broker.settings(), config, topics.predictions() + "-app", stateDir,
                "127.0.0.1", 0, Map.of("commit.interval.ms", 200));
    }
}

package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * A scorer process killed outright (SIGKILL, mid-transaction or not) and started again under the same instance id
 * leaves exactly one committed prediction per image; SIGTERM stops a scorer cleanly (the JVM's exit code after
 * SIGTERM is 143, 128 + 15, whatever the hooks do).
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerRestartTest {

    static final int IMAGES = 4000;
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofMillis(ScorerConfig.DEFAULT_TRANSACTION_TIMEOUT_MS);

    @Test
    void aKilledScorerRestartedUnderItsInstanceIdLeavesExactlyOnePredictionPerImage(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "restart", 2);
        CifarImages images = CifarTestData.testSplit().first(IMAGES);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, IMAGES);
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");

        ScorerProcess first = ScorerProcess.start(broker, topics, model, TRANSACTION_TIMEOUT, dir.resolve("first.log"));
        int beforeKill = first.awaitCommitted(kafka, topics, 200);
        first.process().destroyForcibly();
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        int atKill = ScorerProcess.committed(kafka, topics).size();
        assertThat(atKill).as("predictions committed when the scorer was killed").isBetween(beforeKill, IMAGES - 1);

        ScorerProcess second = ScorerProcess.start(broker, topics, model, TRANSACTION_TIMEOUT, dir.resolve("second.log"));
        second.awaitCommitted(kafka, topics, IMAGES);
        second.process().destroy(); // SIGTERM: the shutdown hook finishes the open batch and closes
        assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process().exitValue()).isEqualTo(143);
        assertThat(second.log()).contains(" stopped: ");

        List<Keyed<Prediction>> predictions = ScorerProcess.committed(kafka, topics);
        assertThat(predictions).hasSize(IMAGES);
        assertThat(CommittedRecords.countByKey(predictions)).hasSize(IMAGES)
                .allSatisfy((id, count) -> assertThat(count).isOne());
    }
}

package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * Transactions the broker refuses are aborted and their records read and scored again once the broker accepts
 * them: nothing lost, nothing twice. The refusal is real: the predictions topic is set to accept no message as
 * large as a batch of predictions (about 190 bytes for one) while still taking the broker's own transaction
 * markers (about 80 bytes), then set back.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerAbortTest {

    @Test
    void refusedTransactionsAreAbortedAndTheirImagesScoredOnceWhenTheBrokerAcceptsThemAgain(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "abort", 2);
        CifarImages images = CifarTestData.testSplit().first(500);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, images.size());
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");

        try (Admin admin = Admin.create(kafka.admin())) {
            setMaxMessageBytes(admin, topics.predictions(), "150");
            try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model)
                    .withBatching(64, Duration.ofMillis(20)))) {
                ScorerFixture.awaitCount(scorer.metrics()::batchesAborted, 2, Duration.ofMinutes(1), "aborted batches");
                assertThat(scorer.metrics().imagesScored()).isZero();
                setMaxMessageBytes(admin, topics.predictions(), "1048588");
                ScorerFixture.awaitCount(scorer.metrics()::imagesScored, images.size(), Duration.ofMinutes(1),
                        "images scored");
                assertThat(scorer.failure()).isEmpty();
            }
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(predictions).hasSize(images.size());
        assertThat(CommittedRecords.countByKey(predictions)).hasSize(images.size())
                .allSatisfy((id, count) -> assertThat(count).isOne());
    }

    /**
     * A replayed backlog while the broker refuses some transactions: a backlog batch fills over many polls, so a
     * refusal is often found right after a poll that returned records. Those records lie past the last commit,
     * where the partitions are sought back to: they are read again, and must not be kept from that poll as well.
     * Each refusal is lifted while the scorer pauses after it, so that the batch filled next is committed. The
     * scorer's producer sends each prediction in a batch of its own ({@code batch.size}), which the broker refuses
     * at once; a batch of many would be split and sent again first, and the refusal found only once the backlog
     * batch is full.
     */
    @Test
    void recordsPolledBeforeARefusalIsFoundAreReadAgainNotKept(KafkaBroker broker, @TempDir Path dir) throws Exception {
        Path clientSettings = Files.writeString(dir.resolve("kafka.properties"), "batch.size=256\n");
        KafkaSettings kafka = KafkaSettings.load(broker.bootstrapServers(), clientSettings);
        TopicNames topics = ImageEventRecords.createTopics(kafka, "abort-backlog", 2);
        CifarImages images = CifarTestData.testSplit().first(6000);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, images.size());
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");

        try (Admin admin = Admin.create(kafka.admin());
                Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model)
                        .withBatching(16, Duration.ofMillis(20)).withBacklogBatch(4096))) {
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, 1, Duration.ofMinutes(1), "images scored");
            for (int refusal = 0; refusal < 6 && scorer.metrics().imagesScored() < images.size() / 2; refusal++) {
                setMaxMessageBytes(admin, topics.predictions(), "150");
                ScorerFixture.awaitCount(scorer.metrics()::batchesAborted, scorer.metrics().batchesAborted() + 1,
                        Duration.ofMinutes(1), "a transaction refused");
                setMaxMessageBytes(admin, topics.predictions(), "1048588");
                ScorerFixture.awaitCount(scorer.metrics()::batchesCommitted, scorer.metrics().batchesCommitted() + 1,
                        Duration.ofMinutes(1), "a batch committed after the refusal");
            }
            assertThat(scorer.metrics().batchesAborted()).as("refused transactions").isPositive();
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, images.size(), Duration.ofMinutes(1), "images scored");
            assertThat(scorer.failure()).isEmpty();
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(CommittedRecords.repeatedKeys(predictions, p -> "scored " + p.getScoredTime()))
                .as("predictions of an image committed more than once").isEmpty();
        assertThat(predictions).hasSize(images.size());
    }

    private static void setMaxMessageBytes(Admin admin, String topic, String bytes) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, bytes), AlterConfigOp.OpType.SET))))
                .all().get();
    }
}

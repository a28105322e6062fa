package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
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
 * Real CIFAR-10 test images replayed through a real broker get exactly one committed prediction each, equal to
 * what the same model computes offline, also when a backlog is committed in batches larger than one model call; two scorers in one group, one joining mid-stream, share the work and
 * still produce each prediction exactly once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerExactlyOnceTest {

    static final int IMAGES = 2000;
    static CifarImages images;
    static Path model;
    static float[] offline;

    @BeforeAll
    static void loadImagesAndOfflineScores(@TempDir Path dir) {
        images = CifarTestData.testSplit().first(IMAGES);
        model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");
        offline = ScorerFixture.offlineLogProbabilities(model, images, IMAGES);
    }

    @Test
    void everyReplayedImageGetsExactlyOneCommittedPredictionEqualToTheOfflineOne(KafkaBroker broker) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "exactly-once", 3);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, IMAGES);

        // The whole replay waits when the scorer starts: a backlog, read in batches of up to 512 images scored 64 at a time.
        ScorerConfig config = ScorerFixture.config(kafka, topics, model).withBatching(64, Duration.ofMillis(20))
                .withBacklogBatch(512);
        try (Scorer scorer = Scorer.start(config)) {
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, IMAGES, Duration.ofMinutes(2), "images scored");
            assertThat(scorer.metrics().deadLetters()).isEmpty();
            assertThat(scorer.metrics().batchesCommitted()).as("transactions: fewer than batches of 64 could be")
                    .isLessThan(IMAGES / 64);
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(predictions).hasSize(IMAGES);
        Map<String, Long> perImage = CommittedRecords.countByKey(predictions);
        assertThat(perImage).hasSize(IMAGES).allSatisfy((id, count) -> assertThat(count).isOne());
        for (Keyed<Prediction> keyed : predictions) {
            Prediction p = keyed.value();
            int i = Integer.parseInt(p.getImageId().substring("test-".length()));
            assertThat(keyed.key()).isEqualTo(images.id(i));
            assertThat(p.getModelId()).isEqualTo("foreign");
            assertThat(p.getLabel()).isEqualTo(images.label(i));
            assertThat(p.getPredictedClass()).as("class of %s", p.getImageId())
                    .isEqualTo(ScorerFixture.argMax(offline, i * 10));
            for (int k = 0; k < 10; k++) {
                assertThat(p.getLogProbs().get(k)).as("log p(%d) of %s", k, p.getImageId())
                        .isCloseTo(offline[i * 10 + k], within(1e-5f));
            }
            assertThat(p.getScoredTime()).isAfterOrEqualTo(p.getEventTime());
        }
        assertThat(CommittedRecords.distinct(predictions, Prediction::getModelVersion)).hasSize(1);
    }

    @Test
    void twoScorersInOneGroupShareThePartitionsAndScoreEachImageOnce(KafkaBroker broker) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "two-scorers", 4);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, IMAGES / 2);
        ScorerConfig config = ScorerFixture.config(kafka, topics, model).withBatching(16, Duration.ofMillis(20));

        long first;
        long second;
        try (Scorer a = Scorer.start(config.withInstanceId("a"))) {
            ScorerFixture.awaitCount(a.metrics()::imagesScored, 200, Duration.ofMinutes(1), "first scorer started");
            try (Scorer b = Scorer.start(config.withInstanceId("b"))) {
                // The second half goes out once the second scorer owns partitions: mid-stream, whatever the speed.
                ScorerFixture.awaitCount(b.metrics()::assignedPartitions, 1, Duration.ofMinutes(1), "second scorer assigned");
                ImageEventRecords.produceRaw(kafka, topics.images(), images, IMAGES / 2, IMAGES / 2);
                ScorerFixture.awaitCount(() -> a.metrics().imagesScored() + b.metrics().imagesScored(), IMAGES,
                        Duration.ofMinutes(2), "images scored by both");
                first = a.metrics().imagesScored();
                second = b.metrics().imagesScored();
            }
        }

        assertThat(first + second).isEqualTo(IMAGES);
        assertThat(second).as("images scored by the scorer that joined").isPositive();
        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(CommittedRecords.countByKey(predictions)).hasSize(IMAGES)
                .allSatisfy((id, count) -> assertThat(count).isOne());
    }
}

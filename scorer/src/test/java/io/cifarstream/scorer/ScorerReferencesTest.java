package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * What the metrics stream needs for label-free monitoring, from a real scorer on a real broker: each model's
 * reference on the compacted references topic, once a reference file made for the loaded version sits beside the
 * model, and every prediction with its image's statistics.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerReferencesTest {

    static CifarImages images;
    static CifarImages reference;

    @BeforeAll
    static void load() {
        CifarImages test = CifarTestData.testSplit();
        images = test.first(400);
        // The reference images are others than those scored, as a validation split would be.
        reference = new CifarImages("test", java.util.Arrays.copyOfRange(test.pixels(), 9000 * CifarShape.PIXELS,
                10_000 * CifarShape.PIXELS), java.util.Arrays.copyOfRange(test.labels(), 9000, 10_000),
                test.classNames());
    }

    /** The reference of {@code model}, made on the reference images and written beside it. */
    static ReferenceFile calibrate(Path model, Path file) throws Exception {
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ScorerFixture.TORCH_CONVENTIONS)) {
            ReferenceFile made = ReferenceFile.measure(classifier, reference.pixels(), reference.labels(),
                    reference.size(), "CIFAR-10 test images 9000-9999", n -> { });
            made.write(file);
            return made;
        }
    }

    @Test
    void aModelWithItsReferencePublishesItOnLoadAndEveryPredictionCarriesItsImageStatistics(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "references", 2);
        int count = 300;
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, count);
        Path model = ScorerFixture.foreignModel(dir, "foreign.onnx");
        ReferenceFile made = calibrate(model, ReferenceFile.beside(model));

        String version;
        try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model))) {
            version = scorer.metrics().modelVersions().get("foreign");
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, count, Duration.ofMinutes(1), "images scored");
        }

        List<Keyed<ModelReference>> published = CommittedRecords.readAll(kafka, topics.references(),
                AvroSerde.modelReferences().deserializer());
        assertThat(published).hasSize(1);
        ModelReference sent = published.get(0).value();
        assertThat(published.get(0).key()).isEqualTo("foreign");
        assertThat(sent.getModelId()).isEqualTo("foreign");
        assertThat(sent.getModelVersion()).isEqualTo(version).isEqualTo(made.modelVersion());
        assertThat(Calibration.fromJson(sent.getCalibrationJson())).isEqualTo(made.calibration());
        assertThat(sent.getSource()).isEqualTo(ReferenceFile.beside(model).toAbsolutePath().toString());
        assertThat(sent.getPublishedTime()).isAfter(java.time.Instant.EPOCH);
        try (Admin admin = Admin.create(kafka.admin())) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, topics.references());
            Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }

        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < count; i++) {
            index.put(images.id(i), i);
        }
        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(predictions).hasSize(count);
        float[] expected = new float[ImageStatistics.LENGTH];
        for (Keyed<Prediction> keyed : predictions) {
            Prediction p = keyed.value();
            ImageStatistics.compute(images.pixels(), index.get(p.getImageId()) * CifarShape.PIXELS,
                    CifarShape.SIDE, CifarShape.SIDE, expected);
            assertThat(p.getChannelMeans()).as(p.getImageId()).containsExactly(expected[0], expected[1], expected[2]);
            assertThat(p.getChannelStds()).as(p.getImageId()).containsExactly(expected[3], expected[4], expected[5]);
            assertThat(p.getImageChroma()).as(p.getImageId()).isEqualTo(expected[ImageStatistics.CHROMA]);
            assertThat(p.getImageDetail()).as(p.getImageId()).isEqualTo(expected[ImageStatistics.DETAIL]);
        }
    }

    @Test
    void aReferenceMadeForAnotherVersionIsNotPublishedButOneMadeForThisVersionWhileScoringIs(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "stale-reference", 1);
        Path model = ScorerFixture.foreignModel(dir, "live.onnx");
        Path other = ScorerModelsTest.retagged(model, dir.resolve("other.onnx"));
        Path file = ReferenceFile.beside(model);
        ReferenceFile stale = calibrate(other, file);

        try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model)
                .withBatching(16, Duration.ofMillis(5)))) {
            assertThat(stale.modelVersion()).isNotEqualTo(scorer.metrics().modelVersions().get("foreign"));
            ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, 100);
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, 100, Duration.ofMinutes(1), "images scored");
            assertThat(CommittedRecords.readAll(kafka, topics.references(),
                    AvroSerde.modelReferences().deserializer())).isEmpty();

            Path fresh = dir.resolve("fresh.reference.json");
            ReferenceFile made = calibrate(model, fresh);
            Files.move(fresh, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // The reference file is looked at again between batches, at most once a second.
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            int produced = 100;
            List<Keyed<ModelReference>> published = List.of();
            while (published.isEmpty() && System.nanoTime() < deadline && produced + 20 <= images.size()) {
                ImageEventRecords.produceRaw(kafka, topics.images(), images, produced, 20);
                produced += 20;
                ScorerFixture.awaitCount(scorer.metrics()::imagesScored, produced, Duration.ofMinutes(1),
                        "images scored");
                Thread.sleep(200);
                published = CommittedRecords.readAll(kafka, topics.references(),
                        AvroSerde.modelReferences().deserializer());
            }
            assertThat(published).hasSize(1);
            assertThat(published.get(0).value().getModelVersion()).isEqualTo(made.modelVersion());
        }
    }
}

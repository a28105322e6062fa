package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.InstanceOfAssertFactories.THROWABLE;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.onnx.Nodes;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.Tensors;
import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * Several models score every image and keep their ids and versions apart; a model file replaced while the scorer
 * runs is picked up between batches with a new version and no record lost; a model that fails on every call stops
 * the scorer with nothing committed; a bad model or a missing broker is a one-line startup error.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerModelsTest {

    static CifarImages images;

    @BeforeAll
    static void load() {
        images = CifarTestData.testSplit().first(1500);
    }

    /**
     * The same network in a file with other bytes, hence another version: a protobuf field unknown to ONNX
     * (number 1000, varint 1) appended to the ModelProto, which parsers skip.
     */
    static Path retagged(Path model, Path target) throws IOException {
        Files.copy(model, target, StandardCopyOption.REPLACE_EXISTING);
        Files.write(target, new byte[] {(byte) 0xC0, 0x3E, 0x01}, StandardOpenOption.APPEND);
        return target;
    }

    @Test
    void championAndChallengerEachScoreEveryImageUnderTheirOwnIdAndVersion(KafkaBroker broker, @TempDir Path dir)
            throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "two-models", 2);
        int count = 300;
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, count);
        Path champion = ScorerFixture.foreignModel(dir, "champion.onnx");
        Path challenger = retagged(champion, dir.resolve("challenger.onnx"));
        ScorerConfig config = ScorerFixture.config(kafka, topics, champion);
        // A backlog of 300 images: batches of 128, each scored in two slices of 64, the first model's lanes starting
        // on a slice while the next records are read, the second model scoring it when the slice is finished.
        config = ScorerConfig.of(kafka, List.of(ModelSpec.parse(champion.toString()),
                        ModelSpec.parse("new-one=" + challenger)), ScorerFixture.TORCH_CONVENTIONS)
                .withTopics(topics).withGroup(config.group())
                .withBatching(64, Duration.ofMillis(5)).withBacklogBatch(128);

        try (Scorer scorer = Scorer.start(config)) {
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, count, Duration.ofMinutes(1), "images scored");
            assertThat(scorer.metrics().prometheusText())
                    .contains("cifarstream_scorer_predictions_total{model=\"champion\"} " + count + "\n")
                    .contains("cifarstream_scorer_predictions_total{model=\"new-one\"} " + count + "\n");
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(predictions).hasSize(2 * count);
        Map<String, List<Prediction>> byImage = predictions.stream().map(Keyed::value)
                .collect(Collectors.groupingBy(Prediction::getImageId));
        assertThat(byImage).hasSize(count).allSatisfy((id, both) -> {
            assertThat(both).extracting(Prediction::getModelId).containsExactlyInAnyOrder("champion", "new-one");
            for (int k = 0; k < 10; k++) {
                assertThat(both.get(0).getLogProbs().get(k)).isCloseTo(both.get(1).getLogProbs().get(k), within(1e-6f));
            }
        });
        Map<String, java.util.Set<String>> versions = predictions.stream().map(Keyed::value).collect(Collectors
                .groupingBy(Prediction::getModelId, Collectors.mapping(Prediction::getModelVersion, Collectors.toSet())));
        assertThat(versions.get("champion")).hasSize(1);
        assertThat(versions.get("new-one")).hasSize(1).doesNotContainAnyElementsOf(versions.get("champion"));
    }

    @Test
    void aReplacedModelFileIsReloadedBetweenBatchesWithANewVersionAndNoRecordLost(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "reload", 2);
        int count = images.size();
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, count);
        Path model = ScorerFixture.foreignModel(dir, "live.onnx");
        Path replacement = retagged(model, dir.resolve("replacement.onnx.tmp"));

        String before;
        try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model)
                .withBatching(8, Duration.ofMillis(5)))) {
            before = scorer.metrics().modelVersions().get("foreign");
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, 200, Duration.ofMinutes(1), "images scored");
            Files.move(replacement, model, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, count, Duration.ofMinutes(2), "images scored");
            assertThat(scorer.metrics().modelVersions().get("foreign")).isNotEqualTo(before);
            assertThat(scorer.metrics().prometheusText()).contains("cifarstream_scorer_model_reloads_total 1\n");
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(CommittedRecords.countByKey(predictions)).hasSize(count)
                .allSatisfy((id, n) -> assertThat(n).isOne());
        assertThat(CommittedRecords.distinct(predictions, Prediction::getModelVersion)).hasSize(2).contains(before);
        // Per partition, in commit order: the old version until the swap, the new one after, never back.
        Map<Integer, List<Keyed<Prediction>>> byPartition = predictions.stream()
                .sorted(Comparator.comparingLong(Keyed::offset))
                .collect(Collectors.groupingBy(Keyed::partition));
        byPartition.forEach((partition, ordered) -> {
            boolean swapped = false;
            for (Keyed<Prediction> p : ordered) {
                boolean old = p.value().getModelVersion().equals(before);
                assertThat(swapped && old).as("old version after the new one on partition %d", partition).isFalse();
                swapped |= !old;
            }
        });
    }

    @Test
    void aModelThatFailsOnEveryCallStopsTheScorerAfterTenBatchesInARowWithNothingCommitted(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "failing-model", 2);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, 600);
        Path model = failingOnEveryBatch(ScorerFixture.foreignModel(dir, "foreign.onnx"), dir.resolve("failing.onnx"));

        // A backlog: batches of up to 512 records, their slices of 64 scored while the next records are read.
        try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model)
                .withBatching(64, Duration.ofMillis(5)).withBacklogBatch(512))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (scorer.failure().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(scorer.failure()).get(THROWABLE)
                    .isInstanceOf(ScorerFailedException.class)
                    .hasMessageContaining("failed 10 batches in a row")
                    .hasMessageContaining("ONNX Runtime failed on a batch of")
                    .hasMessageContaining("check the broker and the models, then restart it");
            assertThat(scorer.metrics().imagesScored()).isZero();
        }
        assertThat(CommittedRecords.readAll(kafka, topics.predictions(), AvroSerde.predictions().deserializer()))
                .isEmpty();
        assertThat(CommittedRecords.readAll(kafka, topics.deadLetters(), AvroSerde.deadLetters().deserializer()))
                .as("the images are not at fault: none is dead-lettered").isEmpty();
    }

    /** The network with its Flatten made a Reshape to rows of 1023 values: no batch of under 1023 images fits. */
    private static Path failingOnEveryBatch(Path model, Path target) throws IOException {
        ModelProto read = OnnxModels.read(model);
        GraphProto.Builder graph = read.getGraph().toBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (node.getOpType().equals("Flatten")) {
                graph.setNode(i, Nodes.node("Reshape", node.getName(), List.of(node.getInput(0), "rows_of_1023"),
                        node.getOutputList()));
            }
        }
        graph.addInitializer(Tensors.int64s("rows_of_1023", new long[] {2}, new long[] {-1, 1023}));
        OnnxModels.write(read.toBuilder().setGraph(graph).build(), target);
        return target;
    }

    @Test
    void aModelThatDoesNotLoadIsAOneLineStartupError(KafkaBroker broker, @TempDir Path dir) throws IOException {
        Path notAModel = Files.writeString(dir.resolve("notes.onnx"), "not a model");
        ScorerConfig config = ScorerFixture.config(broker.settings(), TopicNames.defaults().withPrefix("never-"),
                notAModel);

        assertThatThrownBy(() -> Scorer.start(config)).isInstanceOf(UserFixable.class)
                .hasMessageContaining(notAModel.toString()).hasMessageNotContaining("\n")
                .extracting(e -> ((UserFixable) e).setting()).isEqualTo(Setting.MODEL);
    }

    @Test
    void noBrokerAtTheBootstrapAddressIsAOneLineStartupError(@TempDir Path dir) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");
        ScorerConfig config = ScorerFixture.config(KafkaSettings.of("localhost:" + closedPort),
                TopicNames.defaults(), model);

        assertThatThrownBy(() -> Scorer.start(config)).isInstanceOf(UserFixable.class)
                .hasMessageStartingWith("no Kafka broker at localhost:" + closedPort)
                .extracting(e -> ((UserFixable) e).setting()).isEqualTo(Setting.KAFKA_SERVERS);
    }
}

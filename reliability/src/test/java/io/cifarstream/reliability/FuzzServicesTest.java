package io.cifarstream.reliability;

import java.util.stream.Stream;
import io.cifarstream.schemas.DeadLetterKind;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.metricsstream.MetricsConfig;
import io.cifarstream.metricsstream.MetricsService;
import io.cifarstream.metricsstream.StreamCounters;
import io.cifarstream.reliability.FuzzInputs.Fuzzed;
import io.cifarstream.reliability.TopicRecords.Raw;
import io.cifarstream.reliability.TopicRecords.Read;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.RecordDecodeException;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.Scorer;
import io.cifarstream.scorer.ScorerConfig;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * Fuzzed records through the real services on the real broker: a few hundred fuzzed image events between real
 * CIFAR-10 images through a {@link Scorer}, and fuzzed predictions and labels between the seeded model's real
 * predictions through a {@link MetricsService}. Neither crashes; every fuzzed record ends as exactly one dead letter,
 * or, where the mutation left it valid, as a processed record (dead letters + valid = fuzzed); the service's verdict
 * agrees with the Avro decoder's own; and every good record around them is processed exactly once.
 *
 * <p>Fuzzed records are made from other images than the good ones and carry other ids ({@code fuzz-NNNNN}) and, for
 * predictions, another model id, so a mutation that stays valid cannot pass for a good record.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class FuzzServicesTest {

    private static final long SEED = FuzzDecodersTest.SEED + 100;
    private static final int GOOD = 40;
    private static final int FUZZ_BASES = 12;
    private static final int FUZZED_IMAGES = 300;
    private static final int FUZZED_PREDICTIONS = 200;
    private static final int FUZZED_LABELS = 100;
    private static final IntFunction<String> FUZZ_IDS = i -> String.format("fuzz-%05d", i);
    private static final Duration LIMIT = Duration.ofSeconds(90);

    static FuzzBaseRecords base;
    static CifarImages images;
    static Path model;

    @BeforeAll
    static void load(@TempDir Path dir) {
        base = FuzzBaseRecords.score(CifarTestData.testSplit().first(GOOD + FUZZ_BASES), dir);
        images = base.images();
        model = SeededCifarModel.write(dir.resolve("seeded.onnx"), 11);
    }

    /** One record as sent: its bytes and, for a fuzzed one, how it was made. */
    private record Sent(Raw raw, Optional<Fuzzed> fuzzed) {
    }

    /** What became of the fuzzed records of one topic. */
    private record Verdict(long fuzzed, long deadLettered, long valid, Map<String, Long> kinds) {
    }

    @Test
    void fuzzedImageEventsEachBecomeOneDeadLetterOrOnePredictionAndEveryRealImageIsScored(KafkaBroker broker,
            ReliabilityTable table) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = TopicRecords.createTopics(kafka, "fuzz-scorer");
        List<ImageEvent> bases = base.imageEvents(GOOD, GOOD + FUZZ_BASES, FUZZ_IDS);
        List<String> baseIds = bases.stream().map(ImageEvent::getId).toList();
        FuzzInputs inputs = new FuzzInputs(SEED, bases.stream().map(BadInputRecords::value).toList());
        List<Raw> good = IntStream.range(0, GOOD)
                .mapToObj(i -> Raw.of(images.id(i), BadInputRecords.rawEvent(images, i))).toList();
        List<Sent> sent = interleave(inputs, FUZZED_IMAGES, baseIds, good);
        TopicRecords.produce(kafka, topics.images(), sent.stream().map(Sent::raw).toList());

        ScorerConfig config = ScorerConfig.of(kafka, List.of(new ModelSpec("seeded", model)),
                        ModelOptions.defaults().withThreads(2))
                .withTopics(topics).withGroup("fuzz-scorer").withPartitions(1)
                .withStatus(Duration.ofSeconds(5), line -> { });
        Optional<Throwable> failure;
        try (Scorer scorer = Scorer.start(config)) {
            awaitCount(() -> scorer.metrics().imagesScored()
                    + scorer.metrics().deadLetters().values().stream().mapToLong(Long::longValue).sum(), sent.size());
            failure = scorer.failure();
        }
        List<Read<Prediction>> predictions = TopicRecords.readCommitted(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        List<Read<DeadLetter>> letters = TopicRecords.readCommitted(kafka, topics.deadLetters(),
                AvroSerde.deadLetters().deserializer());
        Verdict verdict = verdict(sent, topics.images(), letters, AvroSerde.imageEvents());

        // Every record without a dead letter, fuzzed or good, was scored once, in offset order.
        Map<Long, DeadLetter> letterAt = lettersAt(letters, topics.images());
        List<String> expectedKeys = IntStream.range(0, sent.size()).filter(offset -> !letterAt.containsKey((long) offset))
                .mapToObj(offset -> sent.get(offset).raw().keyText()).toList();
        List<String> goodScored = predictions.stream().map(Read::key).filter(key -> key.startsWith("test-")).toList();
        table.record(new ReliabilityTable.Row("fuzz", "scorer: " + FUZZED_IMAGES + " fuzzed image events between "
                + GOOD + " real ones, seed " + SEED, FUZZED_IMAGES, sent.size(), predictions.size() + letters.size(),
                Math.max(0, predictions.size() - expectedKeys.size()), GOOD - goodScored.size(),
                failure.isPresent() ? 1 : 0, verdict.deadLettered() + " dead letters " + verdict.kinds() + ", "
                        + verdict.valid() + " valid and scored; " + goodScored.size() + "/" + GOOD + " real scored"));
        assertThat(failure).as("the scorer's own failure").isEmpty();
        assertThat(predictions).extracting(Read::key).as("one prediction per record without a dead letter")
                .containsExactlyElementsOf(expectedKeys);
        assertThat(goodScored).containsExactlyElementsOf(IntStream.range(0, GOOD).mapToObj(images::id).toList());
        for (Read<Prediction> p : predictions) {
            if (p.key().startsWith("test-")) {
                int i = Integer.parseInt(p.key().substring("test-".length()));
                assertThat(p.value().getPredictedClass()).as(p.key()).isEqualTo(base.predictedClass(i));
                assertThat(p.value().getLabel()).as(p.key()).isEqualTo(images.label(i));
            }
        }
    }

    @Test
    void fuzzedPredictionsAndLabelsEachBecomeOneDeadLetterOrStayValidAndEveryRealPredictionIsCountedOnce(
            KafkaBroker broker, ReliabilityTable table, @TempDir Path stateDir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = TopicRecords.createTopics(kafka, "fuzz-metrics");
        List<Prediction> predictionBases = base.predictions("fuzz-model", GOOD, GOOD + FUZZ_BASES, FUZZ_IDS);
        List<Label> labelBases = base.labels(GOOD, GOOD + FUZZ_BASES, FUZZ_IDS);
        // Even images are labelled inline, odd ones on the labels topic.
        List<Raw> goodPredictions = IntStream.range(0, GOOD).mapToObj(i -> Raw.of(images.id(i), AvroSerde.predictions()
                .serializer().serialize("p", base.prediction("seeded", images.id(i), i, i % 2 == 0 ? images.label(i)
                        : null)))).toList();
        List<Raw> goodLabels = IntStream.range(0, GOOD).filter(i -> i % 2 == 1).mapToObj(i -> Raw.of(images.id(i),
                AvroSerde.labels().serializer().serialize("l", base.label(images.id(i), i)))).toList();
        List<Sent> predictions = interleave(new FuzzInputs(SEED + 1, predictionBases.stream()
                        .map(p -> AvroSerde.predictions().serializer().serialize("p", p)).toList()), FUZZED_PREDICTIONS,
                predictionBases.stream().map(Prediction::getImageId).toList(), goodPredictions);
        List<Sent> labels = interleave(new FuzzInputs(SEED + 2, labelBases.stream()
                        .map(l -> AvroSerde.labels().serializer().serialize("l", l)).toList()), FUZZED_LABELS,
                labelBases.stream().map(Label::getImageId).toList(), goodLabels);
        TopicRecords.produce(kafka, topics.predictions(), stamped(predictions));
        TopicRecords.produce(kafka, topics.labels(), stamped(labels));

        String application = "fuzz-metrics";
        MetricsService.Options options = new MetricsService.Options(kafka, MetricsConfig.defaults(topics),
                application, stateDir, "127.0.0.1", 0, Map.of());
        MetricsSnapshot last;
        boolean running;
        StreamCounters counters;
        try (MetricsService service = MetricsService.start(options)) {
            counters = service.counters();
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (!consumedToTheEnd(kafka, application, topics) || counters.count(StreamCounters.Event.COUNTED) < GOOD) {
                assertThat(service.streams().state().hasCompletedShutdown()).as("the streams app stopped").isFalse();
                assertThat(System.nanoTime()).as("input consumed and %d of %d counted",
                        counters.count(StreamCounters.Event.COUNTED), GOOD).isLessThan(deadline);
                Thread.sleep(200);
            }
            last = awaitCumulative(kafka, topics, deadline);
            running = service.streams().state().isRunningOrRebalancing();
        }
        List<Read<DeadLetter>> letters = TopicRecords.readCommitted(kafka, topics.deadLetters(),
                AvroSerde.deadLetters().deserializer());
        Verdict onPredictions = verdict(predictions, topics.predictions(), letters, AvroSerde.predictions());
        Verdict onLabels = verdict(labels, topics.labels(), letters, AvroSerde.labels());

        long[] expected = new long[100];
        IntStream.range(0, GOOD).forEach(i -> expected[10 * images.label(i) + base.predictedClass(i)]++);
        for (Verdict verdict : List.of(onPredictions, onLabels)) {
            String what = verdict == onPredictions ? "predictions" : "labels";
            table.record(new ReliabilityTable.Row("fuzz", "metrics: " + verdict.fuzzed() + " fuzzed " + what
                    + " between real ones, seed " + (SEED + (verdict == onPredictions ? 1 : 2)), (int) verdict.fuzzed(),
                    (what.equals("labels") ? labels : predictions).size(), verdict.deadLettered() + verdict.valid(), 0, 0,
                    running ? 0 : 1, verdict.deadLettered() + " dead letters " + verdict.kinds() + ", " + verdict.valid()
                            + " valid"));
        }
        table.record(new ReliabilityTable.Row("fuzz", "metrics: the " + GOOD + " real predictions among the fuzzed", 0,
                GOOD, last.getCount(), Math.max(0, last.getCount() - GOOD), Math.max(0, GOOD - last.getCount()),
                running ? 0 : 1, "cumulative confusion matrix " + (Arrays.equals(expected,
                        last.getConfusion().stream().mapToLong(Long::longValue).toArray()) ? "exact" : "wrong")));
        assertThat(running).as("the streams app still runs after the fuzzed input").isTrue();
        assertThat(last.getCount()).as("each real prediction counted once").isEqualTo(GOOD);
        assertThat(last.getConfusion()).containsExactlyElementsOf(Arrays.stream(expected).boxed().toList());
        assertThat(letters).as("every dead letter is one of a fuzzed prediction or label")
                .hasSize((int) (onPredictions.deadLettered() + onLabels.deadLettered()));
    }

    /**
     * {@code count} fuzzed records, keyed by their base's id ({@code fuzz-random-N} for random bytes), with the good
     * records spread evenly between them.
     */
    private static List<Sent> interleave(FuzzInputs inputs, int count, List<String> baseIds, List<Raw> good) {
        List<Sent> sent = new ArrayList<>();
        int every = Math.max(1, count / good.size());
        int nextGood = 0;
        for (int n = 0; n < count; n++) {
            Fuzzed input = inputs.next();
            String key = input.base() < 0 ? "fuzz-random-" + input.index() : baseIds.get(input.base());
            sent.add(new Sent(Raw.of(key, input.bytes()), Optional.of(input)));
            if ((n + 1) % every == 0 && nextGood < good.size()) {
                sent.add(new Sent(good.get(nextGood++), Optional.empty()));
            }
        }
        good.subList(nextGood, good.size()).forEach(raw -> sent.add(new Sent(raw, Optional.empty())));
        return sent;
    }

    /**
     * Checks the dead letters of {@code topic} against what was sent: at most one per record, none for a good record,
     * each keeping the record's bytes, and each agreeing with the Avro decoder run here on the same bytes (an Avro
     * kind exactly when the decoder refuses them, with the same kind; a semantic kind only for bytes it accepts).
     */
    private static <T extends SpecificRecord> Verdict verdict(List<Sent> sent, String topic,
            List<Read<DeadLetter>> letters, AvroSerde<T> serde) {
        Map<Long, List<DeadLetter>> byOffset = letters.stream().map(Read::value).filter(l -> l.getTopic().equals(topic))
                .collect(Collectors.groupingBy(DeadLetter::getOffset));
        byOffset.forEach((offset, list) -> assertThat(list).as("dead letters of %s offset %d", topic, offset).hasSize(1));
        long fuzzed = 0;
        long lettered = 0;
        Map<String, Long> kinds = new TreeMap<>();
        for (int offset = 0; offset < sent.size(); offset++) {
            Sent record = sent.get(offset);
            List<DeadLetter> letter = byOffset.getOrDefault((long) offset, List.of());
            if (record.fuzzed().isEmpty()) {
                assertThat(letter).as("dead letter of the good record at %s offset %d", topic, offset).isEmpty();
                continue;
            }
            fuzzed++;
            Fuzzed input = record.fuzzed().get();
            Optional<String> decoderKind = decoderRefusal(serde, input.bytes());
            if (letter.isEmpty()) {
                assertThat(decoderKind).as("%s on %s: processed, so the decoder must accept it", input, topic).isEmpty();
                continue;
            }
            lettered++;
            DeadLetter only = letter.get(0);
            kinds.merge(only.getErrorKind(), 1L, Long::sum);
            assertThat(BadInputImagesTest.bytes(only.getOriginalValue())).as("%s: original value kept", input)
                    .isEqualTo(input.bytes());
            if (decoderKind.isPresent()) {
                assertThat(only.getErrorKind()).as("%s on %s", input, topic).isEqualTo(decoderKind.get());
            } else {
                assertThat(only.getErrorKind()).as("%s on %s: decodable, so refused for its content", input, topic)
                        .isNotIn(Stream.of(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT, DeadLetterKind.UNKNOWN_SCHEMA,
                                DeadLetterKind.CORRUPT_RECORD).map(Enum::name).toList());
            }
        }
        return new Verdict(fuzzed, lettered, fuzzed - lettered, kinds);
    }

    private static <T extends SpecificRecord> Optional<String> decoderRefusal(AvroSerde<T> serde, byte[] bytes) {
        try {
            serde.deserializer().deserialize("fuzz", bytes);
            return Optional.empty();
        } catch (RecordDecodeException e) {
            return Optional.of(e.kind().name());
        }
    }

    private static Map<Long, DeadLetter> lettersAt(List<Read<DeadLetter>> letters, String topic) {
        return letters.stream().map(Read::value).filter(l -> l.getTopic().equals(topic))
                .collect(Collectors.toMap(DeadLetter::getOffset, l -> l));
    }

    /** Record timestamps one millisecond apart from T0, far inside --label-wait. */
    private static List<Raw> stamped(List<Sent> sent) {
        return IntStream.range(0, sent.size())
                .mapToObj(i -> sent.get(i).raw().at(FuzzBaseRecords.T0.toEpochMilli() + i)).toList();
    }

    /** Whether the application's committed offsets have reached the end of its predictions and labels topics. */
    private static boolean consumedToTheEnd(KafkaSettings kafka, String application, TopicNames topics)
            throws Exception {
        List<TopicPartition> inputs = List.of(new TopicPartition(topics.predictions(), 0),
                new TopicPartition(topics.labels(), 0));
        try (Admin admin = Admin.create(kafka.admin())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(application)
                    .partitionsToOffsetAndMetadata().get();
            var ends = admin.listOffsets(inputs.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get();
            return inputs.stream().allMatch(p -> committed.get(p) != null
                    && committed.get(p).offset() >= ends.get(p).offset());
        }
    }

    private static MetricsSnapshot awaitCumulative(KafkaSettings kafka, TopicNames topics, long deadline)
            throws InterruptedException {
        while (true) {
            List<MetricsSnapshot> cumulative = TopicRecords.readCommitted(kafka, topics.metrics(),
                            AvroSerde.metricsSnapshots().deserializer()).stream().map(Read::value)
                    .filter(s -> s.getModelId().equals("seeded") && s.getView() == MetricsView.CUMULATIVE).toList();
            if (!cumulative.isEmpty() && cumulative.get(cumulative.size() - 1).getCount() >= GOOD) {
                return cumulative.get(cumulative.size() - 1);
            }
            assertThat(System.nanoTime()).as("a cumulative snapshot of the seeded model covering every real prediction")
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static void awaitCount(LongSupplier count, long target) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (count.getAsLong() < target) {
            assertThat(System.nanoTime()).as("records scored or dead-lettered: %d of %d", count.getAsLong(), target)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}

package io.cifarstream.reliability;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.metricsstream.MetricsConfig;
import io.cifarstream.metricsstream.MetricsService;
import io.cifarstream.metricsstream.StreamCounters;
import io.cifarstream.reliability.TopicRecords.Raw;
import io.cifarstream.reliability.TopicRecords.Read;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * The predictions and labels topics, as the real metrics service reads them on the real broker: every kind of bad
 * record, each followed by a good one, becomes one dead letter naming its kind at its topic and offset, and the good
 * predictions (the seeded model's real scores of real CIFAR-10 test images, half labelled inline, half by a late
 * label) are each counted exactly once: the published cumulative confusion matrix is exactly theirs.
 *
 * <p>A duplicate id means something else on each topic here: a second prediction of the same (image, model) pair is
 * ignored and counted as a duplicate (the join counts an image once per model), and a second label of an image that
 * was already counted changes nothing. Neither is a dead letter: replays are normal, not bad input.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class BadInputMetricsTest {

    private static final int GOOD = 40;
    private static final String MODEL = "seeded";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static CifarImages images;
    static float[] scores;

    @BeforeAll
    static void score(@TempDir Path dir) {
        images = CifarTestData.testSplit().first(GOOD);
        Path model = SeededCifarModel.write(dir.resolve("seeded.onnx"), 11);
        scores = new float[GOOD * CifarShape.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults().withThreads(2), GOOD)) {
            classifier.logProbabilities(images.pixels(), 0, GOOD, scores);
        }
    }

    private record Case(String name, Raw record, String kind) {
    }

    @Test
    void everyKindOfBadPredictionAndLabelIsDeadLetteredAndEveryGoodPredictionIsCountedOnce(KafkaBroker broker,
            ReliabilityTable table, @TempDir Path stateDir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = TopicRecords.createTopics(kafka, "bad-metrics");
        List<Case> badPredictions = badPredictions();
        List<Case> badLabels = badLabels();
        assertThat(badPredictions.stream().map(Case::name).distinct()).hasSizeGreaterThanOrEqualTo(12);
        assertThat(badLabels.stream().map(Case::name).distinct()).hasSizeGreaterThanOrEqualTo(12);

        // Even images carry their label inline; odd ones get it on the labels topic.
        List<Case> predictionRecords = new ArrayList<>();
        List<Case> labelRecords = new ArrayList<>();
        int next = 0;
        for (Case bad : badPredictions) {
            predictionRecords.add(bad);
            if (next < GOOD) {
                predictionRecords.add(good(next++));
            }
        }
        int nextLabel = 1;
        for (Case bad : badLabels) {
            labelRecords.add(bad);
            if (nextLabel < GOOD) {
                labelRecords.add(goodLabel(nextLabel));
                nextLabel += 2;
            }
        }
        while (next < GOOD) {
            predictionRecords.add(good(next++));
        }
        while (nextLabel < GOOD) {
            labelRecords.add(goodLabel(nextLabel));
            nextLabel += 2;
        }
        predictionRecords.add(new Case("duplicate id, labelled inline", good(0).record(), null));
        predictionRecords.add(new Case("duplicate id, labelled late", good(1).record(), null));
        labelRecords.add(new Case("duplicate label", goodLabel(1).record(), null));
        TopicRecords.produce(kafka, topics.predictions(), stamped(predictionRecords));
        TopicRecords.produce(kafka, topics.labels(), stamped(labelRecords));

        int badCount = badPredictions.size() + badLabels.size();
        MetricsService.Options options = new MetricsService.Options(kafka, MetricsConfig.defaults(topics),
                "bad-metrics", stateDir, "127.0.0.1", 0, Map.of());
        MetricsSnapshot last;
        StreamCounters counters;
        try (MetricsService service = MetricsService.start(options)) {
            counters = service.counters();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (counters.count(StreamCounters.Event.COUNTED) < GOOD || deadLettersOf(counters) < badCount
                    || counters.count(StreamCounters.Event.DUPLICATE_PREDICTION) < 2) {
                assertThat(System.nanoTime()).as("counted %d of %d, dead letters %d of %d",
                        counters.count(StreamCounters.Event.COUNTED), GOOD, deadLettersOf(counters), badCount)
                        .isLessThan(deadline);
                assertThat(service.streams().state().hasCompletedShutdown()).as("the streams app stopped").isFalse();
                Thread.sleep(100);
            }
            last = awaitCumulativeSnapshot(kafka, topics, deadline);
            assertThat(service.streams().state().isRunningOrRebalancing()).as("still running after the bad input")
                    .isTrue();
        }

        List<Read<DeadLetter>> letters = TopicRecords.readCommitted(kafka, topics.deadLetters(),
                AvroSerde.deadLetters().deserializer());
        assertThat(letters).as("one dead letter per bad record").hasSize(badCount);
        checkLetters(table, "predictions", topics.predictions(), predictionRecords, letters);
        checkLetters(table, "labels", topics.labels(), labelRecords, letters);

        long[] expected = new long[100];
        for (int i = 0; i < GOOD; i++) {
            expected[10 * images.label(i) + predictedClass(i)]++;
        }
        long counted = counters.count(StreamCounters.Event.COUNTED);
        table.record(new ReliabilityTable.Row("metrics", "predictions+labels: real scored CIFAR-10 images between"
                + " the bad ones", 0, GOOD, last.getCount(), Math.max(0, counted - GOOD), Math.max(0, GOOD - counted), 0,
                "cumulative confusion matrix exact"));
        table.record(new ReliabilityTable.Row("metrics", "predictions: duplicate (image, model) pairs", 2, 2, 0,
                0, 0, 0, counters.count(StreamCounters.Event.DUPLICATE_PREDICTION) + " ignored as duplicates"));
        table.record(new ReliabilityTable.Row("metrics", "labels: duplicate label of a counted image", 1, 1, 0,
                0, 0, 0, "no second count"));
        assertThat(last.getCount()).as("each image counted once").isEqualTo(GOOD);
        assertThat(last.getConfusion()).containsExactlyElementsOf(Arrays.stream(expected).boxed().toList());
        assertThat(counted).isEqualTo(GOOD);
        assertThat(counters.count(StreamCounters.Event.DUPLICATE_PREDICTION)).isEqualTo(2);
    }

    private static void checkLetters(ReliabilityTable table, String name, String topic, List<Case> sent,
            List<Read<DeadLetter>> letters) {
        Map<Long, DeadLetter> letterAt = letters.stream().filter(l -> l.value().getTopic().equals(topic))
                .collect(Collectors.toMap(l -> l.value().getOffset(), Read::value));
        for (int offset = 0; offset < sent.size(); offset++) {
            Case c = sent.get(offset);
            DeadLetter letter = letterAt.get((long) offset);
            if (c.kind() == null) {
                assertThat(letter).as("dead letter of the good %s at offset %d", name, offset).isNull();
                continue;
            }
            table.record(new ReliabilityTable.Row("metrics", name + ": " + c.name(), 1, 1, letter == null ? 0 : 1,
                    0, letter == null ? 1 : 0, 0, "dead letter " + (letter == null ? "missing" : letter.getErrorKind())));
            assertThat(letter).as("dead letter of '%s' at %s offset %d", c.name(), name, offset).isNotNull();
            assertThat(letter.getErrorKind()).as("kind of '%s' on %s", c.name(), name).isEqualTo(c.kind());
            assertThat(letter.getStage()).isEqualTo("metrics-stream");
            assertThat(letter.getMessage()).isNotBlank();
            assertThat(BadInputImagesTest.bytes(letter.getOriginalKey())).isEqualTo(c.record().key());
            assertThat(BadInputImagesTest.bytes(letter.getOriginalValue())).isEqualTo(c.record().value());
        }
    }

    private static MetricsSnapshot awaitCumulativeSnapshot(KafkaSettings kafka, TopicNames topics, long deadline)
            throws InterruptedException {
        while (true) {
            List<MetricsSnapshot> cumulative = TopicRecords.readCommitted(kafka, topics.metrics(),
                            AvroSerde.metricsSnapshots().deserializer()).stream().map(Read::value)
                    .filter(s -> s.getModelId().equals(MODEL) && s.getView() == MetricsView.CUMULATIVE).toList();
            if (!cumulative.isEmpty() && cumulative.get(cumulative.size() - 1).getCount() >= GOOD) {
                return cumulative.get(cumulative.size() - 1);
            }
            assertThat(System.nanoTime()).as("a cumulative snapshot covering every good prediction").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static long deadLettersOf(StreamCounters counters) {
        return counters.deadLetters().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Record timestamps one millisecond apart from T0, far inside --label-wait. */
    private static List<Raw> stamped(List<Case> cases) {
        List<Raw> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            out.add(cases.get(i).record().at(T0.toEpochMilli() + i));
        }
        return out;
    }

    private static int predictedClass(int i) {
        int best = 0;
        for (int k = 1; k < CifarShape.CLASSES; k++) {
            if (scores[i * 10 + k] > scores[i * 10 + best]) {
                best = k;
            }
        }
        return best;
    }

    private static Prediction prediction(int i, String imageId, List<Float> logProbs, Integer label) {
        return Prediction.newBuilder().setImageId(imageId).setModelId(MODEL).setModelVersion("seeded-11")
                .setLogProbs(logProbs).setPredictedClass(predictedClass(i)).setLabel(label).setEventTime(T0)
                .setScoredTime(T0).setScoringLatencyMicros(1000).build();
    }

    private static List<Float> logProbs(int i) {
        List<Float> values = new ArrayList<>();
        for (int k = 0; k < CifarShape.CLASSES; k++) {
            values.add(scores[i * 10 + k]);
        }
        return values;
    }

    private static byte[] predictionValue(Prediction prediction) {
        return AvroSerde.predictions().serializer().serialize("predictions", prediction);
    }

    private static Case good(int i) {
        Integer label = i % 2 == 0 ? images.label(i) : null;
        return new Case("good", Raw.of(images.id(i), predictionValue(prediction(i, images.id(i), logProbs(i), label))),
                null);
    }

    private static Case goodLabel(int i) {
        Label label = Label.newBuilder().setImageId(images.id(i)).setLabel(images.label(i)).setLabelTime(T0).build();
        return new Case("good label", Raw.of(images.id(i), AvroSerde.labels().serializer().serialize("labels", label)),
                null);
    }

    /** A prediction of image 0 whose log-probabilities or label are changed, keyed by its own new id. */
    private static Case badPrediction(String name, String id, List<Float> logProbs, Integer label, String kind) {
        return new Case(name, Raw.of(id, predictionValue(prediction(0, id, logProbs, label))), kind);
    }

    private static List<Case> badPredictions() {
        Random random = new Random(17);
        byte[] good = predictionValue(prediction(0, "bad-p", logProbs(0), 3));
        byte[] randomBytes = new byte[200];
        random.nextBytes(randomBytes);
        List<Float> nan = new ArrayList<>(logProbs(0));
        nan.set(4, Float.NaN);
        List<Float> infinite = new ArrayList<>(logProbs(0));
        infinite.set(4, Float.POSITIVE_INFINITY);
        List<Float> logits = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            logits.add((float) k);
        }
        List<Float> huge = new ArrayList<>(java.util.Collections.nCopies(150_000, -11.9f));
        byte[] image = BadInputRecords.value(BadInputRecords.event("bad-p", 3, 32, 32, 3, ImageEncoding.RAW_CHW_U8,
                BadInputRecords.pixels(images, 0)));

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("random bytes", Raw.of("bad-p", randomBytes), "NOT_AVRO_SINGLE_OBJECT"));
        cases.add(new Case("empty value (0 bytes)", Raw.of("bad-p", new byte[0]), "NOT_AVRO_SINGLE_OBJECT"));
        cases.add(new Case("unknown schema fingerprint", Raw.of("bad-p", BadInputRecords.withUnknownFingerprint(good)),
                "UNKNOWN_SCHEMA"));
        cases.add(new Case("an ImageEvent on the predictions topic", Raw.of("bad-p", image), "UNKNOWN_SCHEMA"));
        cases.add(new Case("truncated Avro", Raw.of("bad-p", Arrays.copyOf(good, good.length - 7)), "CORRUPT_RECORD"));
        cases.add(new Case("bytes after the record", Raw.of("bad-p", Arrays.copyOf(good, good.length + 2)),
                "CORRUPT_RECORD"));
        cases.add(badPrediction("9 log-probs", "nine", logProbs(0).subList(0, 9), 3, "WRONG_SIZE"));
        List<Float> eleven = new ArrayList<>(logProbs(0));
        eleven.add(-30f);
        cases.add(badPrediction("11 log-probs", "eleven", eleven, 3, "WRONG_SIZE"));
        cases.add(badPrediction("150,000 log-probs (600 KB)", "huge", huge, 3, "WRONG_SIZE"));
        cases.add(badPrediction("NaN log-prob", "nan", nan, 3, "NAN_LOG_PROB"));
        cases.add(badPrediction("+inf log-prob", "inf", infinite, 3, "INFINITE_LOG_PROB"));
        cases.add(badPrediction("every log-prob -inf", "minus-inf",
                java.util.Collections.nCopies(10, Float.NEGATIVE_INFINITY), 3, "NOT_NORMALIZED"));
        cases.add(badPrediction("raw logits, not log-softmax", "logits", logits, 3, "NOT_NORMALIZED"));
        cases.add(badPrediction("label 10", "label-10", logProbs(0), 10, "BAD_LABEL"));
        cases.add(badPrediction("label -1", "label-minus-1", logProbs(0), -1, "BAD_LABEL"));
        cases.add(badPrediction("empty image id", "", logProbs(0), 3, "MISSING_ID"));
        Prediction noModel = Prediction.newBuilder(prediction(0, "no-model", logProbs(0), 3)).setModelId("").build();
        cases.add(new Case("empty model id", Raw.of("no-model", predictionValue(noModel)), "MISSING_ID"));
        cases.add(new Case("null key", new Raw(null, predictionValue(prediction(0, "no-key", logProbs(0), 3)), null),
                "MISSING_KEY"));
        cases.add(new Case("key is not the image id", Raw.of("someone-else",
                predictionValue(prediction(0, "mismatch", logProbs(0), 3))), "KEY_MISMATCH"));
        cases.add(new Case("null value (tombstone)", Raw.of("bad-p", null), "TOMBSTONE"));
        return cases;
    }

    private static List<Case> badLabels() {
        Random random = new Random(19);
        byte[] good = AvroSerde.labels().serializer().serialize("labels",
                Label.newBuilder().setImageId("bad-l").setLabel(3).setLabelTime(T0).build());
        byte[] randomBytes = new byte[200];
        random.nextBytes(randomBytes);
        byte[] prediction = predictionValue(prediction(0, "bad-l", logProbs(0), 3));

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("random bytes", Raw.of("bad-l", randomBytes), "NOT_AVRO_SINGLE_OBJECT"));
        cases.add(new Case("empty value (0 bytes)", Raw.of("bad-l", new byte[0]), "NOT_AVRO_SINGLE_OBJECT"));
        cases.add(new Case("unknown schema fingerprint", Raw.of("bad-l", BadInputRecords.withUnknownFingerprint(good)),
                "UNKNOWN_SCHEMA"));
        cases.add(new Case("a Prediction on the labels topic", Raw.of("bad-l", prediction), "UNKNOWN_SCHEMA"));
        cases.add(new Case("truncated Avro", Raw.of("bad-l", Arrays.copyOf(good, good.length - 3)), "CORRUPT_RECORD"));
        cases.add(new Case("bytes after the record", Raw.of("bad-l", Arrays.copyOf(good, good.length + 2)),
                "CORRUPT_RECORD"));
        cases.add(label("label -1", "label-minus-1", -1, "BAD_LABEL"));
        cases.add(label("label 10", "label-10", 10, "BAD_LABEL"));
        cases.add(label("label Integer.MIN_VALUE", "label-min", Integer.MIN_VALUE, "BAD_LABEL"));
        cases.add(label("empty image id", "", 3, "MISSING_ID"));
        cases.add(new Case("null key", new Raw(null, labelValue("no-key", 3), null), "MISSING_KEY"));
        cases.add(new Case("key is not the image id", Raw.of("someone-else", labelValue("mismatch", 3)),
                "KEY_MISMATCH"));
        cases.add(new Case("null value (tombstone)", Raw.of("bad-l", null), "TOMBSTONE"));
        return cases;
    }

    private static Case label(String name, String id, int label, String kind) {
        return new Case(name, Raw.of(id, labelValue(id, label)), kind);
    }

    private static byte[] labelValue(String id, int label) {
        return AvroSerde.labels().serializer().serialize("labels",
                Label.newBuilder().setImageId(id).setLabel(label).setLabelTime(T0).build());
    }
}

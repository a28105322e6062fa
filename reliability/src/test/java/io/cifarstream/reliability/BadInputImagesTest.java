package io.cifarstream.reliability;

import io.cifarstream.schemas.CifarShape;
import static io.cifarstream.reliability.BadInputRecords.encoded;
import static io.cifarstream.reliability.BadInputRecords.event;
import static io.cifarstream.reliability.BadInputRecords.pixels;
import static io.cifarstream.reliability.BadInputRecords.rawEvent;
import static io.cifarstream.reliability.BadInputRecords.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
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
import io.cifarstream.reliability.TopicRecords.Raw;
import io.cifarstream.reliability.TopicRecords.Read;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.Scorer;
import io.cifarstream.scorer.ScorerConfig;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * The images topic, as the real scorer reads it on the real broker: every kind of bad record, each between two real
 * CIFAR-10 test images, becomes one dead letter naming its kind at its offset, and every good image around them gets
 * exactly one prediction, the one an offline run of the same model gives.
 *
 * <p>A duplicate id on this topic is two events: the scorer is stateless per event and scores each one it reads, so
 * an image replayed twice gets two predictions (the metrics stream then counts the (image, model) pair once).
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class BadInputImagesTest {

    /** Small enough to admit the 300 KB PNG bomb past the size check, so the decoder itself must refuse it. */
    private static final int MAX_RECORD_BYTES = 512 * 1024;

    /** The scorer's dead letters carry values up to 256 KiB (so they fit Kafka's 1 MB default); larger: coordinates. */
    private static final int DEAD_LETTER_VALUE_LIMIT = 256 * 1024;

    static CifarImages images;
    static Path model;

    @BeforeAll
    static void load(@TempDir Path dir) {
        images = CifarTestData.testSplit().first(40);
        model = SeededCifarModel.write(dir.resolve("seeded.onnx"), 11);
    }

    private record Case(String name, Raw record, String kind) {
    }

    @Test
    void everyKindOfBadImageIsDeadLetteredAndEveryGoodImageAroundItIsScoredOnce(KafkaBroker broker,
            ReliabilityTable table) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = TopicRecords.createTopics(kafka, "bad-images");
        List<Case> bad = badCases();
        assertThat(bad.stream().map(Case::name).distinct()).hasSizeGreaterThanOrEqualTo(12);

        List<Case> all = new ArrayList<>();
        int good = 0;
        for (Case c : bad) {
            all.add(c);
            all.add(new Case("good", Raw.of(images.id(good), rawEvent(images, good)), null));
            good++;
        }
        // A duplicate id: the same real image sent again, a well-formed event the scorer scores again.
        all.add(new Case("duplicate id", Raw.of(images.id(0), rawEvent(images, 0)), null));
        TopicRecords.produce(kafka, topics.images(), all.stream().map(Case::record).toList());

        ScorerConfig config = ScorerConfig.of(kafka, List.of(new ModelSpec("seeded", model)),
                        ModelOptions.defaults().withThreads(2))
                .withTopics(topics).withGroup("bad-images").withPartitions(1).withMaxRecordBytes(MAX_RECORD_BYTES)
                .withStatus(Duration.ofSeconds(5), line -> { });
        long deadLetters;
        try (Scorer scorer = Scorer.start(config)) {
            awaitCount(() -> scorer.metrics().imagesScored()
                    + scorer.metrics().deadLetters().values().stream().mapToLong(Long::longValue).sum(), all.size());
            assertThat(scorer.failure()).as("the scorer's own failure").isEmpty();
            deadLetters = scorer.metrics().deadLetters().values().stream().mapToLong(Long::longValue).sum();
        }

        List<Read<Prediction>> predictions = TopicRecords.readCommitted(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        List<Read<DeadLetter>> letters = TopicRecords.readCommitted(kafka, topics.deadLetters(),
                AvroSerde.deadLetters().deserializer());
        Map<Long, DeadLetter> letterAt = letters.stream()
                .collect(Collectors.toMap(l -> l.value().getOffset(), Read::value));
        assertThat(letters).as("one dead letter per bad record, no more").hasSize(bad.size());
        assertThat(deadLetters).isEqualTo(bad.size());

        for (int offset = 0; offset < all.size(); offset++) {
            Case c = all.get(offset);
            DeadLetter letter = letterAt.get((long) offset);
            if (c.kind() == null) {
                assertThat(letter).as("dead letter of the good record at offset %d", offset).isNull();
                continue;
            }
            boolean right = letter != null && letter.getErrorKind().equals(c.kind())
                    && letter.getTopic().equals(topics.images()) && !letter.getMessage().isBlank()
                    && Arrays.equals(bytes(letter.getOriginalKey()), c.record().key())
                    && (c.record().value() != null && c.record().value().length > DEAD_LETTER_VALUE_LIMIT
                            ? letter.getOriginalValue() == null
                            : Arrays.equals(bytes(letter.getOriginalValue()), c.record().value()));
            table.record(new ReliabilityTable.Row("scorer", "images: " + c.name(), 1, 1, letter == null ? 0 : 1,
                    0, letter == null ? 1 : 0, 0, "dead letter " + (letter == null ? "missing" : letter.getErrorKind())));
            assertThat(letter).as("dead letter of '%s' at offset %d", c.name(), offset).isNotNull();
            assertThat(letter.getErrorKind()).as("kind of '%s'", c.name()).isEqualTo(c.kind());
            assertThat(right).as("'%s': topic, message, original key and value kept", c.name()).isTrue();
        }

        // Good images: one prediction each, in order, equal to the offline scores; the duplicate id scored twice.
        List<String> expectedKeys = all.stream().filter(c -> c.kind() == null).map(c -> c.record().keyText()).toList();
        assertThat(predictions).extracting(Read::key).containsExactlyElementsOf(expectedKeys);
        float[] offline = new float[good * CifarShape.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults().withThreads(2), 64)) {
            classifier.logProbabilities(images.pixels(), 0, good, offline);
        }
        for (Read<Prediction> p : predictions) {
            int i = Integer.parseInt(p.key().substring("test-".length()));
            for (int k = 0; k < CifarShape.CLASSES; k++) {
                assertThat(p.value().getLogProbs().get(k)).as("%s class %d", p.key(), k)
                        .isCloseTo(offline[i * CifarShape.CLASSES + k], org.assertj.core.data.Offset.offset(1e-5f));
            }
            assertThat(p.value().getLabel()).isEqualTo(images.label(i));
        }
        Map<String, Long> perKey = predictions.stream().collect(Collectors.groupingBy(Read::key, Collectors.counting()));
        Map<String, Long> sentPerKey = expectedKeys.stream().collect(Collectors.groupingBy(k -> k, Collectors.counting()));
        long duplicated = sentPerKey.keySet().stream().filter(k -> perKey.getOrDefault(k, 0L) > sentPerKey.get(k)).count();
        long lost = sentPerKey.keySet().stream().filter(k -> perKey.getOrDefault(k, 0L) < sentPerKey.get(k)).count();
        table.record(new ReliabilityTable.Row("scorer", "images: real CIFAR-10 images between the bad ones", 0,
                expectedKeys.size(), predictions.size(), duplicated, lost, 0, "one prediction per event, offline-equal"));
        table.record(new ReliabilityTable.Row("scorer", "images: duplicate id (same image sent twice)", 1, 2,
                perKey.getOrDefault(images.id(0), 0L), 0, 0, 0, "scored per event"));
        assertThat(duplicated).isZero();
        assertThat(lost).isZero();
        assertThat(perKey.get(images.id(0))).as("the replayed image is scored per event").isEqualTo(2);
    }

    private List<Case> badCases() {
        Random random = new Random(7);
        byte[] good = rawEvent(images, 39);
        String id = images.id(39);
        byte[] randomBytes = new byte[500];
        random.nextBytes(randomBytes);
        byte[] garbage = new byte[300];
        random.nextBytes(garbage);
        byte[] jpegGarbage = new byte[400];
        random.nextBytes(jpegGarbage);
        jpegGarbage[0] = (byte) 0xFF;
        jpegGarbage[1] = (byte) 0xD8;
        jpegGarbage[2] = (byte) 0xFF;
        jpegGarbage[3] = (byte) 0xE0;
        byte[] png = encoded(images, 39, "png");
        byte[] jpeg = encoded(images, 39, "jpg");
        byte[] bomb = BadInputRecords.pngBomb(50_000);
        assertThat(bomb.length).as("the bomb fits under the size cap").isLessThan(MAX_RECORD_BYTES);
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        byte[] hugeLength = good.clone();
        // The id's length varint right after the header, claiming a 2^31-byte string.
        byte[] claimed = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        byte[] lying = new byte[10 + claimed.length + 20];
        System.arraycopy(good, 0, lying, 0, 10);
        System.arraycopy(claimed, 0, lying, 10, claimed.length);
        Prediction prediction = Prediction.newBuilder().setImageId(id).setModelId("m").setModelVersion("v")
                .setLogProbs(List.of(-2.3f, -2.3f, -2.3f, -2.3f, -2.3f, -2.3f, -2.3f, -2.3f, -2.3f, -2.3f))
                .setPredictedClass(0).setEventTime(BadInputRecords.EVENT_TIME).setScoredTime(BadInputRecords.EVENT_TIME)
                .setScoringLatencyMicros(1).build();
        Label label = Label.newBuilder().setImageId(id).setLabel(3).setLabelTime(BadInputRecords.EVENT_TIME).build();

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("random bytes", Raw.of(id, randomBytes), "NOT_AVRO_SINGLE_OBJECT"));
        cases.add(new Case("empty value (0 bytes)", Raw.of(id, new byte[0]), "NOT_AVRO_SINGLE_OBJECT"));
        cases.add(new Case("unknown schema fingerprint", Raw.of(id, BadInputRecords.withUnknownFingerprint(good)),
                "UNKNOWN_SCHEMA"));
        cases.add(new Case("a Prediction on the images topic", Raw.of(id,
                AvroSerde.predictions().serializer().serialize("p", prediction)), "UNKNOWN_SCHEMA"));
        cases.add(new Case("a Label on the images topic", Raw.of(id,
                AvroSerde.labels().serializer().serialize("l", label)), "UNKNOWN_SCHEMA"));
        cases.add(new Case("truncated Avro", Raw.of(id, Arrays.copyOf(good, 100)), "CORRUPT_RECORD"));
        cases.add(new Case("bytes after the record", Raw.of(id, trailing), "CORRUPT_RECORD"));
        cases.add(new Case("string length claiming 2 GB", Raw.of(id, lying), "CORRUPT_RECORD"));
        cases.add(new Case("wrong pixel count (3000 bytes)", Raw.of("wrong-count",
                value(event("wrong-count", 3, 32, 32, 3, ImageEncoding.RAW_CHW_U8, new byte[3000]))), "WRONG_SIZE"));
        cases.add(new Case("zero-size image (0x0, no bytes)", Raw.of("zero-size",
                value(event("zero-size", null, 0, 0, 3, ImageEncoding.RAW_CHW_U8, new byte[0]))), "WRONG_SIZE"));
        cases.add(new Case("64x32 raw pixels", Raw.of("wide",
                value(event("wide", null, 64, 32, 3, ImageEncoding.RAW_CHW_U8, new byte[6144]))), "WRONG_SIZE"));
        cases.add(new Case("one channel (grey)", Raw.of("grey",
                value(event("grey", null, 32, 32, 1, ImageEncoding.RAW_CHW_U8, new byte[1024]))), "WRONG_CHANNELS"));
        cases.add(new Case("four channels (RGBA)", Raw.of("rgba",
                value(event("rgba", null, 32, 32, 4, ImageEncoding.RAW_CHW_U8, new byte[4096]))), "WRONG_CHANNELS"));
        cases.add(new Case("label -1", Raw.of("label-minus-1",
                value(event("label-minus-1", -1, 32, 32, 3, ImageEncoding.RAW_CHW_U8, pixels(images, 39)))), "BAD_LABEL"));
        cases.add(new Case("label 10", Raw.of("label-10",
                value(event("label-10", 10, 32, 32, 3, ImageEncoding.RAW_CHW_U8, pixels(images, 39)))), "BAD_LABEL"));
        cases.add(new Case("PNG bomb 50000x50000 (" + bomb.length / 1024 + " KB)", Raw.of("bomb",
                value(event("bomb", null, 32, 32, 3, ImageEncoding.PNG, bomb))), "TOO_MANY_PIXELS"));
        cases.add(new Case("PNG that is random bytes", Raw.of("not-png",
                value(event("not-png", null, 32, 32, 3, ImageEncoding.PNG, garbage))), "UNSUPPORTED_FORMAT"));
        cases.add(new Case("truncated PNG", Raw.of("half-png",
                value(event("half-png", null, 32, 32, 3, ImageEncoding.PNG, Arrays.copyOf(png, png.length / 2)))),
                "CORRUPT_IMAGE"));
        cases.add(new Case("JPEG garbage after a JPEG signature", Raw.of("jpeg-garbage",
                value(event("jpeg-garbage", null, 32, 32, 3, ImageEncoding.JPEG, jpegGarbage))), "CORRUPT_IMAGE"));
        cases.add(new Case("truncated JPEG", Raw.of("half-jpeg",
                value(event("half-jpeg", null, 32, 32, 3, ImageEncoding.JPEG, Arrays.copyOf(jpeg, jpeg.length / 3)))),
                "CORRUPT_IMAGE"));
        cases.add(new Case("payload over the size cap (600 KB)", Raw.of("oversized",
                value(event("oversized", null, 32, 32, 3, ImageEncoding.PNG, new byte[600 * 1024]))), "OVERSIZED_RECORD"));
        cases.add(new Case("null key", new Raw(null, good, null), "MISSING_KEY"));
        cases.add(new Case("key is not the event's id", Raw.of("someone-else", good), "KEY_MISMATCH"));
        cases.add(new Case("null value (tombstone)", Raw.of(id, null), "TOMBSTONE"));
        return cases;
    }

    private static void awaitCount(java.util.function.LongSupplier count, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (count.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("records scored or dead-lettered: " + count.getAsLong() + " of " + target);
            }
            Thread.sleep(50);
        }
    }

    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}

package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * Every kind of bad input goes to the dead-letter topic with its kind, its original bytes and coordinates, while
 * the good images around it are scored; PNG-encoded images score exactly like their raw pixels.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerBadInputTest {

    static CifarImages images;
    static Path model;

    @BeforeAll
    static void load(@TempDir Path dir) {
        images = CifarTestData.testSplit().first(300);
        model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");
    }

    @Test
    void eachKindOfBadInputIsDeadLetteredWhileTheGoodImagesAroundItAreScored(KafkaBroker broker) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "bad-input", 1);
        Random random = new Random(7);
        byte[] goodValue = ImageEventRecords.value(ImageEventRecords.raw(images, 0));
        byte[] randomBytes = new byte[500];
        random.nextBytes(randomBytes);
        byte[] unknownFingerprint = goodValue.clone();
        ByteBuffer.wrap(unknownFingerprint, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);
        byte[] truncated = Arrays.copyOf(goodValue, 100);
        byte[] garbagePng = new byte[300];
        random.nextBytes(garbagePng);
        byte[] validPng = ImageEventRecords.pngOf(images.pixels(), 0);

        // key -> (value, expected dead-letter kind or null for a good image); one partition keeps the order.
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put(images.id(0), Case.good(goodValue));
        cases.put("random-bytes", Case.bad(randomBytes, "NOT_AVRO_SINGLE_OBJECT"));
        cases.put(images.id(1), Case.good(raw(1)));
        cases.put("unknown-fingerprint", Case.bad(unknownFingerprint, "UNKNOWN_SCHEMA"));
        cases.put("truncated-avro", Case.bad(truncated, "CORRUPT_RECORD"));
        cases.put(images.id(2), Case.good(raw(2)));
        cases.put("wrong-pixel-count", Case.bad(event("wrong-pixel-count", 3, 32, 32, 3, ImageEncoding.RAW_CHW_U8,
                new byte[3000]), "WRONG_SIZE"));
        cases.put("64-wide", Case.bad(event("64-wide", 3, 64, 32, 3, ImageEncoding.RAW_CHW_U8, new byte[6144]),
                "WRONG_SIZE"));
        cases.put("one-channel", Case.bad(event("one-channel", 3, 32, 32, 1, ImageEncoding.RAW_CHW_U8,
                new byte[1024]), "WRONG_CHANNELS"));
        cases.put("label-11", Case.bad(event("label-11", 11, 32, 32, 3, ImageEncoding.RAW_CHW_U8,
                pixels(3)), "BAD_LABEL"));
        cases.put(images.id(3), Case.good(raw(3)));
        cases.put("png-bomb", Case.bad(event("png-bomb", null, 5000, 5000, 1, ImageEncoding.PNG, pngBomb()),
                "TOO_MANY_PIXELS"));
        cases.put("not-a-png", Case.bad(event("not-a-png", null, 32, 32, 3, ImageEncoding.PNG, garbagePng),
                "UNSUPPORTED_FORMAT"));
        cases.put("broken-png", Case.bad(event("broken-png", null, 32, 32, 3, ImageEncoding.PNG,
                Arrays.copyOf(validPng, validPng.length / 2)), "CORRUPT_IMAGE"));
        cases.put("key-mismatch", Case.bad(raw(4), "KEY_MISMATCH"));
        cases.put("tombstone", Case.bad(null, "TOMBSTONE"));
        cases.put("oversized", Case.bad(event("oversized", 3, 32, 32, 3, ImageEncoding.PNG, new byte[300_000]),
                "OVERSIZED_RECORD"));
        cases.put(images.id(5), Case.good(raw(5)));

        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        cases.forEach((key, c) -> records.add(new SimpleEntry<>(ImageEventRecords.key(key), c.value())));
        records.add(7, new SimpleEntry<>(null, raw(6))); // no key at offset 7
        ImageEventRecords.produce(kafka, topics.images(), records);
        int badCount = (int) cases.values().stream().filter(c -> c.kind() != null).count() + 1;
        int goodCount = cases.size() + 1 - badCount;

        String metricsText;
        try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model)
                .withHttp(new InetSocketAddress("127.0.0.1", 0)))) {
            ScorerFixture.awaitCount(() -> scorer.metrics().imagesScored()
                    + scorer.metrics().deadLetters().values().stream().mapToLong(Long::longValue).sum(),
                    records.size(), Duration.ofMinutes(1), "records scored or dead-lettered");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + scorer.httpPort().orElseThrow() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            metricsText = response.body();
            assertThat(scorer.metrics().imagesScored()).isEqualTo(goodCount);
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(predictions).extracting(Keyed::key)
                .containsExactly(images.id(0), images.id(1), images.id(2), images.id(3), images.id(5));

        List<Keyed<DeadLetter>> letters = CommittedRecords.readAll(kafka, topics.deadLetters(),
                AvroSerde.deadLetters().deserializer());
        assertThat(letters).hasSize(badCount);
        Map<Long, DeadLetter> byOffset = new LinkedHashMap<>();
        letters.forEach(l -> byOffset.put(l.value().getOffset(), l.value()));
        for (int offset = 0; offset < records.size(); offset++) {
            Map.Entry<byte[], byte[]> sent = records.get(offset);
            String key = sent.getKey() == null ? null : new String(sent.getKey(), java.nio.charset.StandardCharsets.UTF_8);
            String expected = key == null ? "MISSING_KEY" : cases.get(key).kind();
            DeadLetter letter = byOffset.get((long) offset);
            if (expected == null) {
                assertThat(letter).as("dead letter at offset %d (%s)", offset, key).isNull();
                continue;
            }
            assertThat(letter).as("dead letter at offset %d (%s)", offset, key).isNotNull();
            assertThat(letter.getErrorKind()).as("kind of %s", key).isEqualTo(expected);
            assertThat(letter.getTopic()).isEqualTo(topics.images());
            assertThat(letter.getPartition()).isZero();
            assertThat(letter.getStage()).isEqualTo("scorer");
            assertThat(letter.getMessage()).isNotBlank();
            assertThat(bytes(letter.getOriginalKey())).isEqualTo(sent.getKey());
            assertThat(bytes(letter.getOriginalValue()))
                    .isEqualTo(expected.equals("OVERSIZED_RECORD") ? null : sent.getValue());
            assertThat(metricsText).contains("cifarstream_scorer_dead_letters_total{kind=\"" + expected + "\"} ");
        }
        assertThat(metricsText).contains("cifarstream_scorer_dead_letters_total{kind=\"WRONG_SIZE\"} 2\n")
                .contains("cifarstream_scorer_dead_letters_total{kind=\"BAD_LABEL\"} 1\n")
                .contains("cifarstream_scorer_images_scored_total " + goodCount + "\n")
                .contains("cifarstream_scorer_latency_seconds_count " + goodCount + "\n");
    }

    @Test
    void pngImagesMadeFromRealPixelsScoreExactlyLikeTheirRawPixels(KafkaBroker broker) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "png", 2);
        int count = images.size();
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new SimpleEntry<>(ImageEventRecords.key(images.id(i)),
                    ImageEventRecords.value(ImageEventRecords.png(images, i))));
        }
        ImageEventRecords.produce(kafka, topics.images(), records);
        float[] offline = ScorerFixture.offlineLogProbabilities(model, images, count);

        try (Scorer scorer = Scorer.start(ScorerFixture.config(kafka, topics, model))) {
            ScorerFixture.awaitCount(scorer.metrics()::imagesScored, count, Duration.ofMinutes(1), "PNGs scored");
        }

        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(predictions).hasSize(count);
        for (Keyed<Prediction> keyed : predictions) {
            int i = Integer.parseInt(keyed.key().substring("test-".length()));
            assertThat(keyed.value().getPredictedClass()).isEqualTo(ScorerFixture.argMax(offline, i * 10));
            for (int k = 0; k < 10; k++) {
                assertThat(keyed.value().getLogProbs().get(k)).isCloseTo(offline[i * 10 + k], within(1e-5f));
            }
        }
    }

    private record Case(byte[] value, String kind) {
        static Case good(byte[] value) {
            return new Case(value, null);
        }

        static Case bad(byte[] value, String kind) {
            return new Case(value, kind);
        }
    }

    private static byte[] raw(int i) {
        return ImageEventRecords.value(ImageEventRecords.raw(images, i));
    }

    private static byte[] pixels(int i) {
        return Arrays.copyOfRange(images.pixels(), i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS);
    }

    private static byte[] event(String id, Integer label, int width, int height, int channels, ImageEncoding encoding,
            byte[] data) {
        ImageEvent event = ImageEventRecords.event(id, label, width, height, channels, encoding, data);
        return ImageEventRecords.value(event);
    }

    /** A real decompression bomb: 5000x5000 gray pixels (25 MB decoded) in a PNG of a few kilobytes. */
    private static byte[] pngBomb() throws java.io.IOException {
        BufferedImage image = new BufferedImage(5000, 5000, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        assertThat(out.size()).as("bomb size").isLessThan(100_000);
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}

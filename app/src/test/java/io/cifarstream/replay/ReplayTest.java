package io.cifarstream.replay;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.ImageDecoder;
import io.cifarstream.dataset.ImageFolder;
import io.cifarstream.dataset.Shift;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/** Replay publishes real CIFAR-10 test images to a real broker, with labels inline or late. */
@ExtendWith(KafkaBrokerExtension.class)
class ReplayTest {
    static CifarImages test;

    @BeforeAll
    static void data() {
        test = CifarTestData.testSplit();
    }

    static TopicNames freshTopics() {
        return TopicNames.defaults().withPrefix("replay-" + UUID.randomUUID().toString().substring(0, 8) + "-");
    }

    static List<ConsumerRecord<String, byte[]>> readAll(KafkaBroker broker, String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(broker.settings().consumer("check-"
                + UUID.randomUUID()), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // anything beyond what is expected would be a duplicate: give it a moment to show up
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }

    @Test
    void publishesEachImageOnceKeyedByItsIdWithItsPixelsAndLabelInline(KafkaBroker broker) throws Exception {
        TopicNames topics = freshTopics();
        AtomicLong progress = new AtomicLong();
        Replay.Summary summary = new Replay(broker.settings(), topics, 3)
                .run(new CifarSplitSource(test), ReplayPlan.all().withLimit(300), progress::addAndGet);

        assertThat(summary.images()).isEqualTo(300);
        assertThat(summary.inlineLabels()).isEqualTo(300);
        assertThat(progress.get()).isEqualTo(300);
        List<ConsumerRecord<String, byte[]>> records = readAll(broker, topics.images(), 300);
        assertThat(records).hasSize(300);
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            ImageEvent event = AvroSerde.imageEvents().deserializer().deserialize(r.topic(), r.value());
            int index = Integer.parseInt(event.getId().substring("test-".length()));
            assertThat(r.key()).isEqualTo(event.getId()).isEqualTo(test.id(index));
            assertThat(event.getLabel()).isEqualTo(test.label(index));
            assertThat(event.getEncoding()).isEqualTo(ImageEncoding.RAW_CHW_U8);
            assertThat(event.getSource()).isEqualTo("cifar10:test");
            byte[] pixels = new byte[event.getData().remaining()];
            event.getData().get(pixels);
            assertThat(pixels).isEqualTo(Arrays.copyOfRange(test.pixels(), index * CifarShape.PIXELS,
                    (index + 1) * CifarShape.PIXELS));
            ids.add(event.getId());
        }
        assertThat(ids).hasSize(300).contains("test-00000", "test-00299");
    }

    @Test
    void lateLabelsFollowOnTheLabelsTopicForTheChosenFractionOnly(KafkaBroker broker) throws Exception {
        TopicNames topics = freshTopics();
        ReplayPlan plan = ReplayPlan.all().withLimit(200).withShuffle(7).withLateLabels(Duration.ofMillis(700))
                .withLabelFraction(0.5, 11);
        Replay.Summary summary = new Replay(broker.settings(), topics, 2).run(new CifarSplitSource(test), plan,
                n -> { });

        assertThat(summary.inlineLabels()).isZero();
        assertThat(summary.lateLabels()).isBetween(70, 130);
        Map<String, Long> eventTimes = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(broker, topics.images(), 200)) {
            ImageEvent event = AvroSerde.imageEvents().deserializer().deserialize(r.topic(), r.value());
            assertThat(event.getLabel()).as("no label inside the event").isNull();
            eventTimes.put(event.getId(), event.getEventTime().toEpochMilli());
        }
        assertThat(eventTimes).hasSize(200);
        List<ConsumerRecord<String, byte[]>> labelRecords = readAll(broker, topics.labels(), summary.lateLabels());
        assertThat(labelRecords).hasSize(summary.lateLabels());
        for (ConsumerRecord<String, byte[]> r : labelRecords) {
            Label label = AvroSerde.labels().deserializer().deserialize(r.topic(), r.value());
            int index = Integer.parseInt(label.getImageId().substring("test-".length()));
            assertThat(label.getLabel()).isEqualTo(test.label(index));
            assertThat(eventTimes).containsKey(label.getImageId());
            assertThat(label.getLabelTime().toEpochMilli() - eventTimes.get(label.getImageId()))
                    .as("label arrives after its delay").isGreaterThanOrEqualTo(700);
        }
    }

    @Test
    void aFolderOfPicturesIsPublishedAsTheirPngBytesLabelledByClassFolder(KafkaBroker broker, @TempDir Path dir)
            throws Exception {
        // 20 real test images written as PNG files under class folders named like CIFAR-10's classes
        for (int i = 0; i < 20; i++) {
            Path classDir = Files.createDirectories(dir.resolve(test.classNames().get(test.label(i))));
            BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            int base = i * CifarShape.PIXELS;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int p = y * 32 + x;
                    int r = test.pixels()[base + p] & 0xFF;
                    int g = test.pixels()[base + 1024 + p] & 0xFF;
                    int b = test.pixels()[base + 2048 + p] & 0xFF;
                    image.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            ImageIO.write(image, "png", classDir.resolve(String.format("img-%02d.png", i)).toFile());
        }
        TopicNames topics = freshTopics();
        Replay.Summary summary = new Replay(broker.settings(), topics, 1)
                .run(new FolderSource(ImageFolder.scan(dir)), ReplayPlan.all(), n -> { });

        assertThat(summary.images()).isEqualTo(20);
        assertThat(summary.inlineLabels()).isEqualTo(20);
        ImageDecoder decoder = new ImageDecoder();
        for (ConsumerRecord<String, byte[]> r : readAll(broker, topics.images(), 20)) {
            ImageEvent event = AvroSerde.imageEvents().deserializer().deserialize(r.topic(), r.value());
            int i = Integer.parseInt(event.getId().replaceAll(".*img-(\\d+)\\.png", "$1"));
            assertThat(event.getId()).isEqualTo(test.classNames().get(test.label(i)) + "/img-%02d.png".formatted(i));
            assertThat(event.getEncoding()).isEqualTo(ImageEncoding.PNG);
            assertThat(event.getLabel()).isEqualTo(test.label(i));
            assertThat(event.getWidth()).isEqualTo(32);
            byte[] png = new byte[event.getData().remaining()];
            event.getData().get(png);
            assertThat(decoder.decode(png)).as("PNG is lossless: the pixels come back exactly")
                    .isEqualTo(Arrays.copyOfRange(test.pixels(), i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS));
        }
    }

    @Test
    void aShiftedReplayPublishesItsFirstImagesCleanAndEveryLaterOneCorrupted(KafkaBroker broker) throws Exception {
        TopicNames topics = freshTopics();
        ReplayPlan plan = ReplayPlan.all().withShuffle(5).withLimit(200);
        CorruptedImages corrupted = new CorruptedImages(test, Shift.parse("gaussian_noise:4"), 9);
        ShiftedCifarSource source = ShiftedCifarSource.after(corrupted, plan, 120);
        new Replay(broker.settings(), topics, 2).run(source, plan, n -> { });

        // the first 120 of the published order are clean, the other 80 corrupted
        int[] order = Replay.order(test.size(), plan);
        Set<String> cleanIds = new HashSet<>();
        for (int n = 0; n < 120; n++) {
            cleanIds.add(test.id(order[n]));
        }
        byte[] wholeSplitCorrupted = corrupted.all().pixels();
        int shifted = 0;
        for (ConsumerRecord<String, byte[]> r : readAll(broker, topics.images(), 200)) {
            ImageEvent event = AvroSerde.imageEvents().deserializer().deserialize(r.topic(), r.value());
            int index = Integer.parseInt(event.getId().substring("test-".length()));
            byte[] pixels = new byte[event.getData().remaining()];
            event.getData().get(pixels);
            assertThat(event.getLabel()).isEqualTo(test.label(index));
            if (cleanIds.contains(event.getId())) {
                assertThat(event.getSource()).isEqualTo("cifar10:test");
                assertThat(pixels).isEqualTo(Arrays.copyOfRange(test.pixels(), index * CifarShape.PIXELS,
                        (index + 1) * CifarShape.PIXELS));
            } else {
                shifted++;
                assertThat(source.shifted(index)).isTrue();
                assertThat(event.getSource()).isEqualTo("cifar10:test+gaussian_noise:4");
                assertThat(pixels).as("the bytes of the whole corrupted split, image by image")
                        .isEqualTo(Arrays.copyOfRange(wholeSplitCorrupted, index * CifarShape.PIXELS,
                                (index + 1) * CifarShape.PIXELS));
            }
        }
        assertThat(shifted).isEqualTo(80);
        assertThat(source.description()).isEqualTo("cifar10:test shifted by gaussian_noise:4 (seed 9) after 120 clean "
                + "images");
        assertThat(ShiftedCifarSource.after(corrupted, plan, 0).shifted(order[0])).isTrue();
    }

    @Test
    void theSameSeedPublishesTheSameOrderAndLimitCutsAfterShuffling() {
        ReplayPlan plan = ReplayPlan.all().withShuffle(3).withLimit(10);
        int[] first = Replay.order(10_000, plan);
        assertThat(Replay.order(10_000, plan)).containsExactly(first);
        assertThat(first).hasSize(10).doesNotHaveDuplicates().isNotEqualTo(Replay.order(10, ReplayPlan.all()));
        assertThat(Replay.order(5, ReplayPlan.all())).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aFractionOfLabelsIsRoughlyThatFractionAndReproducible() {
        ReplayPlan plan = ReplayPlan.all().withLabelFraction(0.2, 5);
        boolean[] chosen = Replay.chooseLabelled(10_000, plan);
        int count = 0;
        for (boolean c : chosen) {
            count += c ? 1 : 0;
        }
        assertThat(count).isBetween(1800, 2200);
        assertThat(Replay.chooseLabelled(10_000, plan)).containsExactly(chosen);
    }

    @Test
    void aPlanRefusesNonsenseWithTheFlagsName() {
        assertThatThrownBy(() -> ReplayPlan.all().withRate(0)).hasMessageContaining("--rate");
        assertThatThrownBy(() -> ReplayPlan.all().withLimit(0)).hasMessageContaining("--limit");
        assertThatThrownBy(() -> ReplayPlan.all().withLabelFraction(1.5, 0)).hasMessageContaining("--label-fraction");
    }
}

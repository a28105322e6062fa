package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.TopicNames;

/** Test input: real CIFAR-10 images as ImageEvent records, produced the way a replay client does. */
final class ImageEventRecords {

    private ImageEventRecords() {
    }

    /** Fresh topic names for one test, created with {@code partitions} partitions each. */
    static TopicNames createTopics(KafkaSettings kafka, String test, int partitions) {
        TopicNames topics = TopicNames.defaults().withPrefix(test + "-" + System.nanoTime() + "-");
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.images(), partitions),
                TopicSpec.of(topics.predictions(), partitions), TopicSpec.of(topics.deadLetters(), partitions)));
        return topics;
    }

    /** Image {@code i} of {@code images} as raw CHW pixels with its label. */
    static ImageEvent raw(CifarImages images, int i) {
        byte[] pixels = Arrays.copyOfRange(images.pixels(), i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS);
        return event(images.id(i), images.label(i), 32, 32, 3, ImageEncoding.RAW_CHW_U8, pixels);
    }

    /** Image {@code i} of {@code images} encoded as a lossless 32x32 RGB PNG. */
    static ImageEvent png(CifarImages images, int i) {
        return event(images.id(i), images.label(i), 32, 32, 3, ImageEncoding.PNG, pngOf(images.pixels(), i));
    }

    static ImageEvent event(String id, Integer label, int width, int height, int channels, ImageEncoding encoding,
            byte[] data) {
        return ImageEvent.newBuilder().setId(id).setEventTime(Instant.now()).setSource("cifar10:test")
                .setLabel(label).setWidth(width).setHeight(height).setChannels(channels).setEncoding(encoding)
                .setData(ByteBuffer.wrap(data)).build();
    }

    static byte[] pngOf(byte[] chw, int index) {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        int base = index * CifarShape.PIXELS;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int p = y * 32 + x;
                int r = chw[base + p] & 0xFF;
                int g = chw[base + 1024 + p] & 0xFF;
                int b = chw[base + 2048 + p] & 0xFF;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] value(ImageEvent event) {
        return AvroSerde.imageEvents().serializer().serialize("images", event);
    }

    static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    /** Produces raw (key, value) pairs in order, waiting until all are acknowledged. */
    static void produce(KafkaSettings kafka, String topic, List<Map.Entry<byte[], byte[]>> records) {
        Map<String, Object> config = kafka.producer();
        // One request in flight: right after a topic is created the broker may still refuse its first batch
        // (NOT_LEADER_OR_FOLLOWER) while accepting later ones, which wedges an idempotent producer that has
        // several in flight on OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout.
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            var futures = records.stream()
                    .map(r -> producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue())))
                    .toList();
            for (var future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing test images failed", e.getCause());
        }
    }

    /** Produces images {@code from .. from+count-1} as raw ImageEvents keyed by their ids. */
    static void produceRaw(KafkaSettings kafka, String topic, CifarImages images, int from, int count) {
        produce(kafka, topic, java.util.stream.IntStream.range(from, from + count)
                .mapToObj(i -> Map.entry(key(images.id(i)), value(raw(images, i))))
                .toList());
    }
}

package io.cifarstream.reliability;

import io.cifarstream.schemas.CifarShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import javax.imageio.ImageIO;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metricsstream.MonitoringReport;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.Prediction;

/**
 * The valid records fuzzing starts from, one kind per schema, all made from real CIFAR-10 test images and the seeded
 * model's real scores of them: image events (raw, PNG, JPEG), predictions, labels, metrics snapshots, dead letters.
 * Image {@code i} is image {@code i} of the given images; callers choose each record's id with an {@code ids}
 * function, so fuzzed records can be kept apart from good ones of the same images.
 */
final class FuzzBaseRecords {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int CLASSES = CifarShape.CLASSES;
    /** Seeded snapshots carry no label-free monitoring: no model reference was published. */
    private static final MonitoringReport NO_REFERENCE = MonitoringReport.missing("no reference published");

    private final CifarImages images;
    private final float[] scores;

    private FuzzBaseRecords(CifarImages images, float[] scores) {
        this.images = images;
        this.scores = scores;
    }

    /** Scores {@code images} with the seeded model (written into {@code dir}). */
    static FuzzBaseRecords score(CifarImages images, Path dir) {
        float[] scores = new float[images.size() * CLASSES];
        Path model = SeededCifarModel.write(dir.resolve("seeded-fuzz.onnx"), 11);
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults().withThreads(2), images.size())) {
            classifier.logProbabilities(images.pixels(), 0, images.size(), scores);
        }
        return new FuzzBaseRecords(images, scores);
    }

    CifarImages images() {
        return images;
    }

    /** The seeded model's arg max for image {@code i}. */
    int predictedClass(int i) {
        int best = 0;
        for (int k = 1; k < CLASSES; k++) {
            if (scores[i * CLASSES + k] > scores[i * CLASSES + best]) {
                best = k;
            }
        }
        return best;
    }

    /** Image {@code i} as a raw event, labelled inline when {@code labelled}. */
    ImageEvent rawEvent(String id, int i, boolean labelled) {
        return BadInputRecords.event(id, labelled ? images.label(i) : null, 32, 32, 3, ImageEncoding.RAW_CHW_U8,
                BadInputRecords.pixels(images, i));
    }

    /** Image {@code i} as a PNG ("png") or JPEG ("jpg") event. */
    ImageEvent encodedEvent(String id, int i, String format) {
        return BadInputRecords.event(id, images.label(i), 32, 32, 3, format.equals("png") ? ImageEncoding.PNG
                : ImageEncoding.JPEG, BadInputRecords.encoded(images, i, format));
    }

    /** Raw events of images {@code from..to-1} (every other one labelled), then PNG and JPEG events of the first two. */
    List<ImageEvent> imageEvents(int from, int to, IntFunction<String> ids) {
        List<ImageEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(rawEvent(ids.apply(i), i, i % 2 == 0));
        }
        for (int i = from; i < Math.min(to, from + 2); i++) {
            events.add(encodedEvent(ids.apply(i), i, "png"));
            events.add(encodedEvent(ids.apply(i), i, "jpg"));
        }
        return events;
    }

    /** The seeded model's prediction of image {@code i}, by {@code modelId}, with {@code label} inline (or null). */
    Prediction prediction(String modelId, String id, int i, Integer label) {
        List<Float> logProbs = new ArrayList<>();
        for (int k = 0; k < CLASSES; k++) {
            logProbs.add(scores[i * CLASSES + k]);
        }
        return Prediction.newBuilder().setImageId(id).setModelId(modelId).setModelVersion("sha256:seeded-11")
                .setLogProbs(logProbs).setPredictedClass(predictedClass(i)).setLabel(label)
                .setEventTime(T0.plusMillis(i)).setScoredTime(T0.plusMillis(i + 5)).setScoringLatencyMicros(900 + i)
                .build();
    }

    /** Predictions of images {@code from..to-1}, labelled inline for even images. */
    List<Prediction> predictions(String modelId, int from, int to, IntFunction<String> ids) {
        List<Prediction> predictions = new ArrayList<>();
        for (int i = from; i < to; i++) {
            predictions.add(prediction(modelId, ids.apply(i), i, i % 2 == 0 ? images.label(i) : null));
        }
        return predictions;
    }

    Label label(String id, int i) {
        return Label.newBuilder().setImageId(id).setLabel(images.label(i)).setLabelTime(T0.plusSeconds(30 + i)).build();
    }

    /** Labels of images {@code from..to-1}. */
    List<Label> labels(int from, int to, IntFunction<String> ids) {
        List<Label> labels = new ArrayList<>();
        for (int i = from; i < to; i++) {
            labels.add(label(ids.apply(i), i));
        }
        return labels;
    }

    /** The seeded model's metrics on images {@code 0..n-1}: cumulative, and a window holding the first half. */
    List<MetricsSnapshot> snapshots(int n) {
        ClassificationAccumulator all = new ClassificationAccumulator(CLASSES);
        ClassificationAccumulator half = new ClassificationAccumulator(CLASSES);
        for (int i = 0; i < n; i++) {
            float[] logProbs = Arrays.copyOfRange(scores, i * CLASSES, (i + 1) * CLASSES);
            all.add(images.label(i), logProbs);
            if (i < n / 2) {
                half.add(images.label(i), logProbs);
            }
        }
        long emitted = T0.plusSeconds(60).toEpochMilli();
        return List.of(
                new ViewReport("seeded", MetricsView.CUMULATIVE, null, null, emitted, all.snapshot(), NO_REFERENCE,
                        List.of()).toSnapshot(),
                new ViewReport("seeded", MetricsView.WINDOW, T0.toEpochMilli(), emitted, emitted, half.snapshot(),
                        NO_REFERENCE, List.of()).toSnapshot());
    }

    /** Dead letters of cut-short events of images {@code 0..n-1}, and one of a tombstone. */
    List<DeadLetter> deadLetters(int n) {
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] event = BadInputRecords.rawEvent(images, i);
            letters.add(DeadLetter.newBuilder()
                    .setOriginalKey(ByteBuffer.wrap(images.id(i).getBytes(StandardCharsets.UTF_8)))
                    .setOriginalValue(ByteBuffer.wrap(Arrays.copyOf(event, event.length / 2))).setTopic("images")
                    .setPartition(i % 4).setOffset(1000L + i).setStage("scorer").setErrorKind("CORRUPT_RECORD")
                    .setMessage("A value on topic 'images' has a valid ImageEvent header but a corrupt body")
                    .setFailedTime(T0.plusSeconds(i)).build());
        }
        letters.add(DeadLetter.newBuilder().setOriginalKey(null).setOriginalValue(null).setTopic("labels")
                .setPartition(0).setOffset(7).setStage("metrics-stream").setErrorKind("TOMBSTONE")
                .setMessage("a label record with a null value").setFailedTime(T0).build());
        return letters;
    }

    /** Image {@code i} scaled {@code factor} times (each pixel a block) and encoded as "png" or "jpg". */
    byte[] enlarged(int i, int factor, String format) {
        int side = 32 * factor;
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        byte[] pixels = images.pixels();
        int base = i * CifarShape.PIXELS;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int at = base + (y / factor) * 32 + x / factor;
                image.setRGB(x, y, (pixels[at] & 0xFF) << 16 | (pixels[at + 1024] & 0xFF) << 8 | (pixels[at + 2048] & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

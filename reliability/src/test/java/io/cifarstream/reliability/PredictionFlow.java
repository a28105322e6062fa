package io.cifarstream.reliability;

import io.cifarstream.testkit.SyntheticPredictions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;

/**
 * Predictions of one model, or of several with the same scores, for the real CIFAR-10 test split's ids and true
 * classes, published at a steady rate the way a scorer and a labelling service publish them: even images carry their
 * label, odd ones get it from the labels topic right after their chunk of predictions. A test can hold the flow back
 * ({@link #publish}). The scores are {@link SyntheticPredictions} (seeded), so the metrics they must produce are known
 * offline ({@link #offline()}).
 */
final class PredictionFlow {

    static final String MODEL = "cifar-cnn";
    private static final int CHUNK = 100;

    private final CifarImages images;
    private final List<String> models;
    private final SyntheticPredictions scores = new SyntheticPredictions(7);

    /** One model's predictions, {@value #MODEL}. */
    PredictionFlow(CifarImages images) {
        this(images, List.of(MODEL));
    }

    /** Each image predicted by each of {@code models}, with the same scores. */
    PredictionFlow(CifarImages images, List<String> models) {
        this.images = images;
        this.models = List.copyOf(models);
    }

    List<String> models() {
        return models;
    }

    int size() {
        return images.size();
    }

    /**
     * Publishes every prediction and label at about {@code perSecond} predictions a second, in chunks of {@value #CHUNK},
     * never beyond {@code allowed} (read before each chunk: how many predictions may be published by now; the publisher
     * waits while the next chunk would pass it, then goes on at the same rate); returns once all are acknowledged, and
     * fails if the broker refused any.
     */
    void publish(KafkaSettings kafka, TopicNames topics, int perSecond, IntSupplier allowed) {
        Instant origin = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        AtomicReference<Exception> failed = new AtomicReference<>();
        Callback failure = (metadata, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<String, Prediction> predictions = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                AvroSerde.predictions().serializer());
             KafkaProducer<String, Label> labels = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                     AvroSerde.labels().serializer())) {
            new GatedPace(CHUNK, perSecond).run(images.size(), allowed, (from, to) -> {
                for (int i = from; i < to; i++) {
                    Instant time = origin.plusMillis(i);
                    for (String model : models) {
                        predictions.send(new ProducerRecord<>(topics.predictions(), null, time.toEpochMilli(),
                                images.id(i), scores.prediction(model, images.id(i), i, images.label(i), i % 2 == 0, time)),
                                failure);
                    }
                }
                for (int i = from + 1; i < to; i += 2) {
                    Instant time = origin.plusMillis(i + 500L);
                    labels.send(new ProducerRecord<>(topics.labels(), null, time.toEpochMilli(), images.id(i),
                            Label.newBuilder().setImageId(images.id(i)).setLabel(images.label(i)).setLabelTime(time).build()),
                            failure);
                }
            });
            predictions.flush();
            labels.flush();
        }
        // A record the broker refused would otherwise look like one the metrics stream lost.
        if (failed.get() != null) {
            throw new IllegalStateException("the broker refused a prediction or label: " + failed.get(), failed.get());
        }
    }

    /** What {@code evaluate} computes for the same records, offline. */
    ClassificationAccumulator offline() {
        ClassificationAccumulator accumulator = new ClassificationAccumulator(10);
        for (int i = 0; i < images.size(); i++) {
            accumulator.add(images.label(i), scores.logProbs(i, images.label(i)));
        }
        return accumulator;
    }
}

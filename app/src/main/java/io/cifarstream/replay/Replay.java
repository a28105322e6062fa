package io.cifarstream.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.cifarstream.kafka.AcknowledgementWatch;
import io.cifarstream.kafka.KafkaConnectionWatch;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.TopicNames;

/**
 * Publishes images as {@link ImageEvent}s (key = image id) with an idempotent producer, and their ground truth either
 * inside each event or, later, as {@link Label}s on the labels topic, as a {@link ReplayPlan} says.
 * The same plan and seed always publish the same ids in the same order.
 */
public final class Replay {
    /** How long sent images may wait for any acknowledgement before the log says why: past a leader's failover. */
    private static final Duration ACKNOWLEDGEMENT_PATIENCE = Duration.ofSeconds(12);

    private final KafkaSettings settings;
    private final TopicNames topics;
    private final int partitions;
    private final OptionalInt replicationFactor;

    /** A replay creating missing topics with {@code min(3, brokers up)} replicas. */
    public Replay(KafkaSettings settings, TopicNames topics, int partitions) {
        this(settings, topics, partitions, OptionalInt.empty());
    }

    /** A replay creating missing topics with {@code partitions} partitions and {@code replicationFactor} replicas. */
    public Replay(KafkaSettings settings, TopicNames topics, int partitions, OptionalInt replicationFactor) {
        this.settings = settings;
        this.topics = topics;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
    }

    /** What was published. */
    public record Summary(int images, int inlineLabels, int lateLabels, Duration elapsed) {
        public double imagesPerSecond() {
            return images / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }
    }

    /**
     * Publishes {@code source} per {@code plan}, reporting each published image to {@code progress}, and 0 images at
     * least once a second while it waits for late labels to fall due; returns once every record (late labels
     * included) is acknowledged by the broker. An exception {@code progress} throws ends the replay.
     */
    public Summary run(ImageSource source, ReplayPlan plan, LongConsumer progress) throws InterruptedException {
        new TopicSetup(settings).withReplicationFactor(replicationFactor).ensure(List.of(
                TopicSpec.of(topics.images(), partitions), TopicSpec.of(topics.labels(), partitions)));
        int[] order = order(source.size(), plan);
        boolean[] labelled = chooseLabelled(order.length, plan);
        Serializer<ImageEvent> events = AvroSerde.imageEvents().serializer();
        Serializer<Label> labels = AvroSerde.labels().serializer();
        long start = System.nanoTime();
        int inline = 0;
        int late = 0;
        ArrayDeque<PendingLabel> pending = new ArrayDeque<>();
        Map<String, Object> config = settings.producer();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer());
                // The producer buffers through a broker outage and retries; the watch says so in the log.
                KafkaConnectionWatch connection = new KafkaConnectionWatch("replay", settings.bootstrapServers(),
                        producer::metrics).startChecking(Duration.ofSeconds(1));
                // Connected yet unacknowledged (too few in-sync replicas): the producer waits, and this says so.
                AcknowledgementWatch acknowledgements = new AcknowledgementWatch("replay", settings, topics.images(),
                        ACKNOWLEDGEMENT_PATIENCE).startChecking(Duration.ofSeconds(1))) {
            CompletableFuture<Void> firstFailure = new CompletableFuture<>();
            for (int n = 0; n < order.length; n++) {
                pace(plan, start, n);
                late += sendDue(producer, labels, pending, System.currentTimeMillis(), firstFailure, acknowledgements);
                int i = order[n];
                long now = System.currentTimeMillis();
                ImageEvent event = source.event(i, now);
                OptionalInt label = source.label(i);
                if (labelled[n] && label.isPresent()) {
                    if (plan.labelDelay().isEmpty()) {
                        event.setLabel(label.getAsInt());
                        inline++;
                    } else {
                        pending.add(new PendingLabel(source.id(i), label.getAsInt(),
                                now + plan.labelDelay().get().toMillis()));
                    }
                }
                acknowledgements.sent();
                producer.send(new ProducerRecord<>(topics.images(), null, now, event.getId(),
                        events.serialize(topics.images(), event)), (meta, e) -> {
                            acknowledgements.settled();
                            failOn(e, firstFailure);
                        });
                progress.accept(1);
                throwIfFailed(firstFailure);
            }
            while (!pending.isEmpty()) {
                long wait = pending.peekFirst().due() - System.currentTimeMillis();
                if (wait > 0) {
                    producer.flush();
                    Thread.sleep(Math.min(wait, 1000));
                }
                late += sendDue(producer, labels, pending, System.currentTimeMillis(), firstFailure, acknowledgements);
                progress.accept(0);
            }
            producer.flush();
            throwIfFailed(firstFailure);
        }
        return new Summary(order.length, inline, late, Duration.ofNanos(System.nanoTime() - start));
    }

    private record PendingLabel(String imageId, int label, long due) {
    }

    private int sendDue(KafkaProducer<String, byte[]> producer, Serializer<Label> labels,
            ArrayDeque<PendingLabel> pending, long now, CompletableFuture<Void> firstFailure,
            AcknowledgementWatch acknowledgements) {
        int sent = 0;
        while (!pending.isEmpty() && pending.peekFirst().due() <= now) {
            PendingLabel p = pending.pollFirst();
            Label label = new Label(p.imageId(), p.label(), Instant.ofEpochMilli(now));
            acknowledgements.sent();
            producer.send(new ProducerRecord<>(topics.labels(), null, now, p.imageId(),
                    labels.serialize(topics.labels(), label)), (meta, e) -> {
                        acknowledgements.settled();
                        failOn(e, firstFailure);
                    });
            sent++;
        }
        return sent;
    }

    private static void failOn(Exception e, CompletableFuture<Void> firstFailure) {
        if (e != null) {
            firstFailure.completeExceptionally(e);
        }
    }

    private static void throwIfFailed(CompletableFuture<Void> firstFailure) {
        if (firstFailure.isCompletedExceptionally()) {
            try {
                firstFailure.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the broker refused a record: " + e.getCause().getMessage(),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sleeps until image n is due at the plan's rate. */
    private static void pace(ReplayPlan plan, long startNanos, int n) throws InterruptedException {
        if (plan.ratePerSecond().isPresent()) {
            long due = startNanos + (long) (n * 1e9 / plan.ratePerSecond().get());
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
    }

    /**
     * The indexes of a split of {@code size} images in the order a replay with {@code plan} publishes them: source
     * order, or a seeded Fisher-Yates shuffle of it, cut to the limit.
     */
    public static int[] order(int size, ReplayPlan plan) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        plan.shuffleSeed().ifPresent(seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = size - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        });
        return java.util.Arrays.copyOf(order, Math.min(size, plan.limit().orElse(size)));
    }

    /** Which published positions carry a label: all, or each with probability {@code labelFraction}, seeded. */
    static boolean[] chooseLabelled(int count, ReplayPlan plan) {
        boolean[] chosen = new boolean[count];
        SplittableRandom random = new SplittableRandom(plan.labelSeed());
        for (int n = 0; n < count; n++) {
            chosen[n] = plan.labelFraction() >= 1.0 || random.nextDouble() < plan.labelFraction();
        }
        return chosen;
    }
}

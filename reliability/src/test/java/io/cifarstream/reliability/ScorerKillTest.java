package io.cifarstream.reliability;

import io.cifarstream.testkit.ForeignModel;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * A scorer killed with SIGKILL at random moments (once the committed count passes seeded random numbers) while the
 * 10,000 images of the CIFAR-10 test split are published, and started again each time under the same instance id, leaves exactly one committed prediction per image: the
 * successor fences its predecessor, aborts its open transaction and reads on from the last committed offsets.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class ScorerKillTest {

    static final int KILLS = 3;
    static final int PER_SECOND = 1000;
    static final int CHUNK = 100;
    /** How far past the next kill's count the images may run: about half a second of them. */
    static final int MARGIN = 500;

    @Test
    void aScorerKilledThreeTimesMidReplayCommitsEveryImageExactlyOnce(KafkaBroker broker, ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = TopicNames.defaults().withPrefix("faults-scorer-" + System.nanoTime() + "-");
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.images(), 4), TopicSpec.of(topics.predictions(), 4),
                TopicSpec.of(topics.deadLetters(), 4), TopicSpec.of(topics.labels(), 4)));
        CifarImages images = CifarTestData.testSplit();
        Set<String> expected = IntStream.range(0, images.size()).mapToObj(images::id).collect(Collectors.toSet());
        Path model = foreignModel(dir);
        // Kills fall once the committed count passes seeded random numbers; the images are published at a steady rate
        // but never more than MARGIN past the next kill's number, so every kill falls while images still arrive,
        // however long a restart takes.
        KillCounts kills = KillCounts.spread("scorer SIGKILL", KILLS, images.size() / 10, images.size() * 9 / 10,
                images.size() / 10);
        AtomicInteger allowed = new AtomicInteger(kills.counts().get(0) + MARGIN);
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(
                () -> publish(kafka, topics, images, PER_SECOND, allowed::get));
        List<Double> restartSeconds = new ArrayList<>();
        List<Long> countsAtKill = new ArrayList<>();
        CliProcess scorer = startScorer(kafka, topics, model, dir, 0);
        try (CommittedKeys committed = new CommittedKeys(kafka, topics.predictions())) {
            awaitProgress(committed, 0, scorer);
            // Every incarnation must be alive when it is killed or stopped: one that dies on its own fails the test.
            for (int k = 0; k < kills.kills(); k++) {
                awaitCount(committed, kills.counts().get(k), scorer);
                scorer.kill();
                long killed = System.nanoTime();
                allowed.set(k + 1 < kills.kills() ? kills.counts().get(k + 1) + MARGIN : images.size());
                long before = committed.readToEnd(Duration.ofSeconds(30)).records();
                countsAtKill.add(before);
                System.out.printf("scorer SIGKILL %d at %d committed predictions (kill due at %d)%n", k + 1, before,
                        kills.counts().get(k));
                scorer = startScorer(kafka, topics, model, dir, k + 1);
                awaitProgress(committed, before, scorer);
                restartSeconds.add((System.nanoTime() - killed) / 1e9);
            }
            publishing.get(3, TimeUnit.MINUTES);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (committed.distinct() < images.size() && System.nanoTime() < deadline) {
                committed.poll(Duration.ofMillis(200));
                scorer.requireAlive("while the last images were scored");
            }
            assertThat(scorer.terminate(Duration.ofSeconds(60))).as("exit code after SIGTERM").isEqualTo(143);
        } finally {
            scorer.killIfAlive();
        }

        try (CommittedKeys all = new CommittedKeys(kafka, topics.predictions()).readToEnd(Duration.ofSeconds(60))) {
            System.out.printf("scorer SIGKILL: %d kills, from kill to the successor's first commit %s s; %d committed, %d distinct%n",
                    KILLS, restartSeconds.stream().map(s -> String.format("%.1f", s)).toList(), all.records(), all.distinct());
            table.record(new ReliabilityTable.Row("scorer", "SIGKILL at random moments during a 10,000-image replay, "
                    + "restarted under its instance id", KILLS, expected.size(), all.distinct(), all.duplicates(),
                    all.missing(expected), 0, (all.records() == expected.size() && all.missing(expected) == 0
                            ? "exactly once" : "NOT exactly once") + "; killed at " + countsAtKill + " committed"));
            assertThat(countsAtKill).as("committed predictions at each kill: mid-replay").allSatisfy(count ->
                    assertThat(count).isLessThan(images.size()));
            assertThat(all.missing(expected)).as("images without a committed prediction").isZero();
            assertThat(all.duplicates()).as("images with more than one committed prediction").isZero();
            assertThat(all.records()).isEqualTo(expected.size());
            assertThat(all.keys()).isEqualTo(expected);
        }
    }

    /**
     * Publishes every image as a raw {@code ImageEvent} keyed by its id, {@value #CHUNK} at a time at
     * {@code perSecond} images/s, never past {@code allowed}; fails if the broker refused any.
     */
    static void publish(KafkaSettings kafka, TopicNames topics, CifarImages images, int perSecond, IntSupplier allowed) {
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            new GatedPace(CHUNK, perSecond).run(images.size(), allowed, (from, to) -> {
                for (int i = from; i < to; i++) {
                    ImageEvent event = BadInputRecords.event(images.id(i), images.label(i), 32, 32, 3,
                            ImageEncoding.RAW_CHW_U8, BadInputRecords.pixels(images, i));
                    producer.send(new ProducerRecord<>(topics.images(), images.id(i), BadInputRecords.value(event)),
                            (metadata, e) -> {
                                if (e != null) {
                                    failed.compareAndSet(null, e);
                                }
                            });
                }
            });
        }
        if (failed.get() != null) {
            throw new IllegalStateException("the broker refused an image: " + failed.get(), failed.get());
        }
    }

    /** Waits until at least {@code count} predictions are committed, the scorer alive all along. */
    private static void awaitCount(CommittedKeys committed, long count, CliProcess scorer) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (committed.poll(Duration.ofMillis(50)) < count) {
            scorer.requireAlive("before its kill was due");
            if (System.nanoTime() > deadline) {
                throw new AssertionError(scorer.name() + " did not reach " + count + " committed within 2 min; log:\n"
                        + scorer.log());
            }
        }
    }

    /** Waits until {@code scorer} has committed something beyond {@code before}: it works, so a kill hits it mid-stream. */
    private static void awaitProgress(CommittedKeys committed, long before, CliProcess scorer) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (committed.poll(Duration.ofMillis(100)) <= before) {
            scorer.requireAlive("before it committed anything");
            if (System.nanoTime() > deadline) {
                throw new AssertionError(scorer.name() + " committed nothing within 2 min; log:\n" + scorer.log());
            }
        }
    }

    /** {@code cifar-stream score} with small batches, so that a kill is likely to hit an open transaction. */
    static CliProcess startScorer(KafkaSettings kafka, TopicNames topics, Path model, Path logDir, int incarnation) {
        return CliProcess.start(logDir, "scorer-" + incarnation, List.of("score",
                "--bootstrap-server", kafka.bootstrapServers(),
                "--model", "foreign=" + model,
                "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits", "--threads", "1",
                "--images-topic", topics.images(), "--predictions-topic", topics.predictions(),
                "--dead-letters-topic", topics.deadLetters(),
                "--group", "faults-" + topics.images(), "--instance-id", "only",
                "--max-batch", "64", "--linger-ms", "5"));
    }

    /** The foreign test model (inputs normalized with mean 0.5 and std 0.5, logits out), copied into {@code dir}. */
    static Path foreignModel(Path dir) {
        return ForeignModel.copyTo(dir, "foreign_cnn.onnx");
    }
}

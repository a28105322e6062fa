package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * A scorer process killed outright (SIGKILL, mid-transaction or not) and started again under the same instance id
 * leaves exactly one committed prediction per image; SIGTERM stops a scorer cleanly (the JVM's exit code after
 * SIGTERM is 143, 128 + 15, whatever the hooks do).
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerRestartTest {

    static final int IMAGES = 4000;

    @Test
    void aKilledScorerRestartedUnderItsInstanceIdLeavesExactlyOnePredictionPerImage(KafkaBroker broker,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "restart", 2);
        CifarImages images = CifarTestData.testSplit().first(IMAGES);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, IMAGES);
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");

        Process first = startScorer(broker, topics, model, dir.resolve("first.log"));
        int beforeKill = awaitCommitted(kafka, topics, 200, first, dir.resolve("first.log"));
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int atKill = committed(kafka, topics).size();
        assertThat(atKill).as("predictions committed when the scorer was killed").isBetween(beforeKill, IMAGES - 1);

        Process second = startScorer(broker, topics, model, dir.resolve("second.log"));
        awaitCommitted(kafka, topics, IMAGES, second, dir.resolve("second.log"));
        second.destroy(); // SIGTERM: the shutdown hook finishes the open batch and closes
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(143);
        assertThat(log(dir.resolve("second.log"))).contains(" stopped: ");

        List<Keyed<Prediction>> predictions = committed(kafka, topics);
        assertThat(predictions).hasSize(IMAGES);
        assertThat(CommittedRecords.countByKey(predictions)).hasSize(IMAGES)
                .allSatisfy((id, count) -> assertThat(count).isOne());
    }

    /** A scorer in its own JVM ({@link ScorerProcess}), with small batches so that it is still busy when it is killed. */
    private static Process startScorer(KafkaBroker broker, TopicNames topics, Path model, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                ScorerProcess.class.getName(), broker.bootstrapServers(), topics.images(), topics.predictions(),
                topics.deadLetters(), "restart-" + topics.images(), "only", model.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int awaitCommitted(KafkaSettings kafka, TopicNames topics, int target, Process scorer, Path log)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            int count = committed(kafka, topics).size();
            if (count >= target) {
                return count;
            }
            if (!scorer.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(count + " of " + target + " predictions committed; scorer "
                        + (scorer.isAlive() ? "still running" : "exited with " + scorer.exitValue()) + "; log:\n" + log(log));
            }
            Thread.sleep(100);
        }
    }

    private static List<Keyed<Prediction>> committed(KafkaSettings kafka, TopicNames topics) {
        return CommittedRecords.readAll(kafka, topics.predictions(), AvroSerde.predictions().deserializer());
    }

    private static String log(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "(none)";
    }
}

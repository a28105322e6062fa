package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;

/**
 * A transaction open longer than the transaction timeout is aborted by Kafka, which moves the transactional id to
 * the next epoch: the scorer replaces its producer and scores the batch again, nothing lost, nothing twice. Only a
 * successor under the same instance id stops it. The stall is real: the scorer's JVM is stopped (SIGSTOP, as a long
 * pause of its machine would) mid-transaction until Kafka's check for expired transactions, every 10 s, has aborted
 * the transaction, then continued.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScorerTransactionTimeoutTest {

    private static final int IMAGES = 3000;
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void aTransactionKafkaAbortedForItsAgeIsScoredAgainByANewProducer(KafkaBroker broker, @TempDir Path dir)
            throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "expired", 2);
        CifarImages images = CifarTestData.testSplit().first(IMAGES);
        ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, IMAGES);
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");

        ScorerProcess scorer = ScorerProcess.start(broker, topics, model, TRANSACTION_TIMEOUT, dir.resolve("scorer.log"));
        String transactionalId = "cifar-stream-scorer-scorers-" + topics.images() + "-only";
        try (Admin admin = Admin.create(kafka.admin())) {
            scorer.awaitCommitted(kafka, topics, 200);
            stopMidTransaction(scorer.process(), admin, transactionalId);
            awaitState(admin, transactionalId, Set.of(TransactionState.PREPARE_ABORT, TransactionState.COMPLETE_ABORT),
                    Duration.ofMinutes(1));
            signal(scorer.process(), "CONT");
            scorer.awaitCommitted(kafka, topics, IMAGES);
        } finally {
            signal(scorer.process(), "CONT");
            scorer.process().destroy();
            scorer.process().waitFor(60, TimeUnit.SECONDS);
        }
        assertThat(scorer.process().exitValue()).as("exit code after SIGTERM; log:%n%s", scorer.log()).isEqualTo(143);
        assertThat(scorer.log()).contains("a new producer takes over");
        assertScoredOnce(kafka, topics, IMAGES, scorer.log());
    }

    /** SIGSTOP, until one lands while the scorer's transaction is open. */
    private static void stopMidTransaction(Process scorer, Admin admin, String transactionalId) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            signal(scorer, "STOP");
            if (state(admin, transactionalId) == TransactionState.ONGOING) {
                return;
            }
            signal(scorer, "CONT");
            Thread.sleep(7);
        }
        throw new AssertionError("no SIGSTOP of 100 landed while transaction " + transactionalId + " was open");
    }

    private static void signal(Process process, String signal) throws Exception {
        if (process.isAlive()) {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aSuccessorUnderTheSameInstanceIdStopsTheScorerItReplaces(KafkaBroker broker, @TempDir Path dir)
            throws Exception {
        KafkaSettings kafka = broker.settings();
        TopicNames topics = ImageEventRecords.createTopics(kafka, "successor", 2);
        CifarImages images = CifarTestData.testSplit().first(600);
        Path model = ScorerFixture.foreignModel(dir, "foreign_cnn.onnx");
        ScorerConfig config = ScorerFixture.config(kafka, topics, model).withBatching(64, Duration.ofMillis(20));

        try (Scorer first = Scorer.start(config)) {
            ImageEventRecords.produceRaw(kafka, topics.images(), images, 0, 300);
            ScorerFixture.awaitCount(first.metrics()::imagesScored, 300, Duration.ofMinutes(1), "images scored first");
            try (Scorer successor = Scorer.start(config)) {
                ImageEventRecords.produceRaw(kafka, topics.images(), images, 300, 300);
                assertThat(first.awaitStop(Duration.ofMinutes(1))).as("the replaced scorer stopped").isTrue();
                assertThat(first.failure()).get().asString().contains(config.instanceId());
                assertThat(first.metrics().producersReplaced()).isZero();
                ScorerFixture.awaitCount(() -> first.metrics().imagesScored() + successor.metrics().imagesScored(),
                        images.size(), Duration.ofMinutes(1), "images scored by both");
                assertThat(successor.failure()).isEmpty();
            }
        }
        assertScoredOnce(kafka, topics, images.size(), "(in this JVM, above)");
    }

    /** One committed prediction per image; when not, says which were repeated, where, and what the images topic holds. */
    private static void assertScoredOnce(KafkaSettings kafka, TopicNames topics, int images, String scorerLog) {
        List<Keyed<Prediction>> predictions = CommittedRecords.readAll(kafka, topics.predictions(),
                AvroSerde.predictions().deserializer());
        assertThat(CommittedRecords.repeatedKeys(predictions, p -> "scored " + p.getScoredTime()))
                .as(() -> "predictions of an image committed more than once; the images topic holds "
                        + CommittedRecords.readAll(kafka, topics.images(), new ByteArrayDeserializer()).size()
                        + " records; scorer log:\n" + scorerLog)
                .isEmpty();
        assertThat(predictions).hasSize(images);
        assertThat(CommittedRecords.countByKey(predictions)).hasSize(images)
                .allSatisfy((id, count) -> assertThat(count).isOne());
    }

    private static TransactionState state(Admin admin, String transactionalId) throws Exception {
        return admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                .get(30, TimeUnit.SECONDS).state();
    }

    private static void awaitState(Admin admin, String transactionalId, Set<TransactionState> states, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        TransactionState now = null;
        while (System.nanoTime() < deadline) {
            now = state(admin, transactionalId);
            if (states.contains(now)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("transaction " + transactionalId + " is " + now + ", not " + states + ", after " + timeout);
    }
}

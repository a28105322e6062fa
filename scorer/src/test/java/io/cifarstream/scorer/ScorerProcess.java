package io.cifarstream.scorer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.CommittedRecords.Keyed;
import io.cifarstream.testkit.ForeignModel;
import io.cifarstream.testkit.KafkaBroker;

/**
 * A scorer alone in its own JVM, for tests that kill or stop it: {@code bootstrap images predictions dead-letters group
 * instance-id model transaction-timeout-ms} score a foreign (mean/std 0.5, logits) model in batches of at most 4 with
 * a 5 ms linger, so it is busy, mid-transaction most of the time, when it is killed. SIGTERM closes it cleanly (the
 * open batch is finished) and it says so on stdout.
 */
public final class ScorerProcess {

    private final Process process;
    private final Path log;

    private ScorerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static void main(String[] args) throws InterruptedException {
        TopicNames topics = TopicNames.defaults().withImages(args[1]).withPredictions(args[2]).withDeadLetters(args[3]);
        ModelOptions options = new ModelOptions("cpu", 1, Optional.of(ForeignModel.MEAN), Optional.of(ForeignModel.STD),
                Optional.of(OutputKind.LOGITS));
        ScorerConfig config = ScorerConfig.of(KafkaSettings.of(args[0]), List.of(new ModelSpec("foreign", Path.of(args[6]))),
                        options)
                .withTopics(topics).withGroup(args[4]).withInstanceId(args[5]).withBatching(4, Duration.ofMillis(5))
                .withTransactionTimeout(Duration.ofMillis(Long.parseLong(args[7])));
        Scorer scorer = Scorer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            scorer.close();
            System.out.println("Scorer " + scorer.transactionalId() + " stopped: " + scorer.metrics().imagesScored()
                    + " images scored");
        }));
        while (!scorer.awaitStop(Duration.ofSeconds(1))) {
            // the shutdown hook stops the scorer
        }
    }

    /** Starts a scorer JVM reading {@code topics} in group "scorers-" + the images topic, instance "only". */
    static ScorerProcess start(KafkaBroker broker, TopicNames topics, Path model, Duration transactionTimeout, Path log)
            throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                ScorerProcess.class.getName(), broker.bootstrapServers(), topics.images(), topics.predictions(),
                topics.deadLetters(), "scorers-" + topics.images(), "only", model.toString(),
                String.valueOf(transactionTimeout.toMillis()));
        return new ScorerProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(),
                log);
    }

    Process process() {
        return process;
    }

    /** Waits until {@code target} predictions are committed; returns how many were; fails if the scorer died. */
    int awaitCommitted(KafkaSettings kafka, TopicNames topics, int target) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            int count = committed(kafka, topics).size();
            if (count >= target) {
                return count;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(count + " of " + target + " predictions committed; scorer "
                        + (process.isAlive() ? "still running" : "exited with " + process.exitValue()) + "; log:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    /** What the process wrote so far. */
    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "(none)";
    }

    static List<Keyed<Prediction>> committed(KafkaSettings kafka, TopicNames topics) {
        return CommittedRecords.readAll(kafka, topics.predictions(), AvroSerde.predictions().deserializer());
    }
}

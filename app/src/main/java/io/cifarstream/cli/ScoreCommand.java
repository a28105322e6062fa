package io.cifarstream.cli;

import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.Scorer;
import io.cifarstream.scorer.ScorerConfig;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.schemas.TopicNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cifar-stream score}: runs one {@link Scorer} in the foreground until SIGTERM or Ctrl-C, then finishes
 * its open batch and closes. Exit code 128 + the signal's number after that clean stop (143 after SIGTERM, 130 after
 * Ctrl-C), 1 when it cannot start or stops on its own (the cause is one line).
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score image events from Kafka with ONNX models, exactly once")
public final class ScoreCommand implements Callable<Integer>, FlagRules {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaFlags kafkaFlags;

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--model", required = true, paramLabel = "[ID=]PATH", converter = ModelSpecConverter.class,
            description = "An ONNX classifier; repeat to score every image with each (champion/challenger). "
                    + "ID (default: the file name without .onnx) is the model id predictions carry.")
    List<ModelSpec> models;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--images-topic", defaultValue = "images", paramLabel = "TOPIC",
            description = "Topic of ImageEvents to score. Default: ${DEFAULT-VALUE}.")
    String imagesTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--predictions-topic", defaultValue = "predictions", paramLabel = "TOPIC",
            description = "Topic the Predictions go to. Default: ${DEFAULT-VALUE}.")
    String predictionsTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--dead-letters-topic", defaultValue = "dead-letters", paramLabel = "TOPIC",
            description = "Topic rejected records go to, with the reason. Default: ${DEFAULT-VALUE}.")
    String deadLettersTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--references-topic", defaultValue = "references", paramLabel = "TOPIC",
            description = "Compacted topic each model's reference statistics go to when it loads with a reference "
                    + "file made for it (M.reference.json beside M.onnx). Default: ${DEFAULT-VALUE}.")
    String referencesTopic;

    @Matches(regex = Matches.NAME, describe = Matches.NAME_WORDS)
    @Option(names = "--group", defaultValue = ScorerConfig.DEFAULT_GROUP, paramLabel = "ID",
            description = "Consumer group; scorers of one group share the images topic's partitions. "
                    + "Default: ${DEFAULT-VALUE}.")
    String group;

    @Matches(regex = Matches.NAME, describe = Matches.NAME_WORDS)
    @Option(names = "--instance-id", defaultValue = "0", paramLabel = "ID",
            description = "This scorer's stable name in its group. Give each running scorer its own; a restarted "
                    + "scorer reuses its id, which fences its predecessor. Default: ${DEFAULT-VALUE}.")
    String instanceId;

    @Mixin
    BatchingFlags batching;

    @Range(min = 1024, max = 64 * 1024 * 1024)
    @Option(names = "--max-record-bytes", defaultValue = "262144", paramLabel = "BYTES",
            description = "Longer values are dead-lettered as OVERSIZED_RECORD without decoding. Default: ${DEFAULT-VALUE}.")
    int maxRecordBytes;

    @Range(min = 1, max = 10_000)
    @Option(names = "--partitions", defaultValue = "4", paramLabel = "N",
            description = "Partitions of the topics the scorer creates when they are missing. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Mixin
    ReplicationFlag replication;

    @Range(min = 1000, max = 900_000)
    @Option(names = "--transaction-timeout-ms", defaultValue = "" + ScorerConfig.DEFAULT_TRANSACTION_TIMEOUT_MS,
            paramLabel = "MS",
            description = "How long the broker waits before aborting the open transaction of a scorer that died "
                    + "and was not restarted under its --instance-id. Default: ${DEFAULT-VALUE}.")
    long transactionTimeoutMs;

    @Mixin
    ModelFlags modelFlags;

    @Range(min = 0, max = 65535)
    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (0: any free port). Default: none.")
    Integer httpPort;

    @Matches(regex = Matches.HOST, describe = Matches.HOST_WORDS)
    @Option(names = "--http-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the metrics endpoint binds to. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Mixin
    HttpTokenFlag httpToken;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        ScorerConfig config = config();
        // Installed before the scorer starts: a stop during the start waits for it (see StopSignal).
        StopSignal stop = StopSignal.install();
        Scorer scorer;
        try {
            scorer = Scorer.start(config);
        } catch (RuntimeException e) {
            if (!stop.awaitStop(Duration.ZERO)) {
                throw e;
            }
            // Asked to stop while starting: how the start ended is the stop's outcome, not an error of its own.
            System.err.println("Scorer stopped while it started: " + e.getMessage());
            return stop.exitCode();
        }
        try {
            printStarted(out, config, scorer);
            while (!stop.awaitStop(Duration.ofSeconds(1))) {
                if (scorer.awaitStop(Duration.ZERO)) {
                    // Stopped on its own.
                    Throwable failure = scorer.failure().orElse(null);
                    if (failure == null) {
                        return 0;
                    }
                    throw failure instanceof RuntimeException stopped ? stopped : new IllegalStateException(failure);
                }
            }
        } finally {
            scorer.close();
        }
        // Printed once the open batch is committed and the clients are closed: a clean stop.
        System.err.println("Scorer " + scorer.transactionalId() + " stopped: " + scorer.metrics().imagesScored()
                + " images scored");
        return stop.exitCode();
    }

    private void printStarted(PrintWriter out, ScorerConfig config, Scorer scorer) {
        out.println("Scoring " + config.topics().images() + " at " + config.kafka().bootstrapServers() + " with "
                + config.models().stream().map(ModelSpec::toString).collect(Collectors.joining(", ")) + " as "
                + scorer.transactionalId());
        out.println("Predictions -> " + config.topics().predictions() + ", dead letters -> "
                + config.topics().deadLetters() + ", model references -> " + config.topics().references());
        scorer.httpPort().ifPresent(port -> out.println("Metrics: http://" + httpHost + ":" + port + "/metrics"
                + (config.httpToken().required() ? " (bearer token required)" : "")));
        out.println("Stop: Ctrl-C");
        out.flush();
    }

    @Override
    public void checkFlags(CommandLine commandLine) {
        List<String> ids = models.stream().map(ModelSpec::id).toList();
        if (ids.stream().distinct().count() != ids.size()) {
            throw new ParameterException(commandLine, "--model ids must differ, got " + models
                    + ": name them, e.g. --model champion=a.onnx --model challenger=b.onnx");
        }
    }

    ScorerConfig config() {
        KafkaSettings kafka = kafkaFlags.settings();
        TopicNames topics = TopicNames.defaults().withImages(imagesTopic).withPredictions(predictionsTopic)
                .withDeadLetters(deadLettersTopic).withReferences(referencesTopic);
        ScorerConfig config = ScorerConfig.of(kafka, models, modelFlags.toOptions())
                .withTopics(topics)
                .withGroup(group)
                .withInstanceId(instanceId)
                .withBatching(batching.maxBatch(), batching.linger())
                .withBacklogBatch(batching.backlogBatch())
                .withMaxRecordBytes(maxRecordBytes)
                .withPartitions(partitions)
                .withReplicationFactor(replication.value())
                .withTransactionTimeout(Duration.ofMillis(transactionTimeoutMs));
        return httpPort == null ? config
                : config.withHttp(new InetSocketAddress(httpHost, httpPort)).withHttpToken(httpToken.token());
    }

    /** {@code --model [ID=]PATH}: an id of letters, digits, '.', '_' or '-', and a path (which @PathRule checks). */
    static final class ModelSpecConverter implements DeclaredConverter<ModelSpec> {
        @Override
        public ModelSpec convert(String value) {
            ModelSpec spec;
            try {
                spec = ModelSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            return spec;
        }

        @Override
        public String describe() {
            return "[ID=]PATH: an optional id (letters, digits, '.', '_' or '-') and an existing model file";
        }

        @Override
        public List<String> refused() {
            return List.of("champion=missing.onnx", "bad id!=model.onnx", "=model.onnx");
        }
    }
}

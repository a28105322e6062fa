package io.cifarstream.cli;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import io.cifarstream.metricsstream.AlertRule;
import io.cifarstream.metricsstream.MetricsConfig;
import io.cifarstream.metricsstream.MetricsService;

import io.cifarstream.metrics.RocSketch;
import io.cifarstream.schemas.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code cifar-stream metrics}: runs {@link MetricsService} in the foreground until Ctrl-C, then closes it with a
 * clean commit. Prints where the API listens and which topics it reads and writes.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Keep live model-quality metrics from the predictions topic (Kafka Streams)")
public final class MetricsCommand implements Callable<Integer>, FlagRules {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaFlags kafka;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--predictions-topic", defaultValue = "predictions", description = "Default: ${DEFAULT-VALUE}.")
    private String predictionsTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--labels-topic", defaultValue = "labels", description = "Default: ${DEFAULT-VALUE}.")
    private String labelsTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--metrics-topic", defaultValue = "metrics", description = "Default: ${DEFAULT-VALUE}.")
    private String metricsTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--dead-letters-topic", defaultValue = "dead-letters", description = "Default: ${DEFAULT-VALUE}.")
    private String deadLettersTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--references-topic", defaultValue = "references",
            description = "Models' references (for the label-free estimates and drift checks). Default: ${DEFAULT-VALUE}.")
    private String referencesTopic;

    @Matches(regex = Matches.TOPIC, describe = Matches.TOPIC_WORDS)
    @Option(names = "--alerts-topic", defaultValue = "alerts",
            description = "Where alert rules firing and resolving go. Default: ${DEFAULT-VALUE}.")
    private String alertsTopic;

    @Option(names = "--alert", paramLabel = "RULE", converter = AlertRuleConverter.class,
            description = "An alert rule, repeatable: '" + AlertRule.SYNTAX + "', e.g. 'estimate-low: "
                    + "estimated_accuracy in last < 0.6 for 3 min 1000' (docs/metrics-stream.md). Default: none.")
    private List<AlertRule> alerts = new ArrayList<>();

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--alert-rules", paramLabel = "FILE",
            description = "A file of alert rules, one a line as --alert takes them; # starts a comment. Default: none.")
    private Path alertRules;

    @Range(min = 0, minExcluded = true)
    @Option(names = "--window", defaultValue = "1m", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Event-time window length. Default: ${DEFAULT-VALUE}.")
    private Duration window;

    @Range(min = 0, minExcluded = true)
    @Option(names = "--advance", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "A new window starts every ADVANCE (= --window: tumbling). Default: ${DEFAULT-VALUE}.")
    private Duration advance;

    @Range(min = 0)
    @Option(names = "--grace", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long after its end a window still takes late records. Default: ${DEFAULT-VALUE}.")
    private Duration grace;

    @Range(min = 1, max = 1_000_000)
    @Option(names = "--last", defaultValue = "1000", paramLabel = "N", description = "Size of the last-N view. Default: ${DEFAULT-VALUE}.")
    private int lastN;

    @Range(min = 1)
    @Option(names = "--checkpoint-records", defaultValue = "200000", paramLabel = "N",
            description = "Checkpoint a model's views after this many counted records (and at least every 30 s): "
                    + "the most a restart replays. Default: ${DEFAULT-VALUE}.")
    private int checkpointRecords;

    @Range(min = 0, minExcluded = true)
    @Option(names = "--label-wait", defaultValue = "1h", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long a prediction and a label wait for each other. Default: ${DEFAULT-VALUE}.")
    private Duration labelWait;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--state-dir", defaultValue = "runs/metrics-state", paramLabel = "PATH",
            description = "Kafka Streams state directory. Default: ${DEFAULT-VALUE}.")
    private Path stateDir;

    @Range(min = 0, max = 65535)
    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT", description = "HTTP API port (0: any free one). Default: ${DEFAULT-VALUE}.")
    private int httpPort;

    @Matches(regex = Matches.HOST, describe = Matches.HOST_WORDS)
    @Option(names = "--http-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the HTTP API binds (0.0.0.0 for every interface). Default: ${DEFAULT-VALUE}.")
    private String httpHost;

    @Mixin
    private HttpTokenFlag httpToken;

    @Matches(regex = Matches.NAME, describe = Matches.NAME_WORDS)
    @Option(names = "--application-id", defaultValue = "cifar-metrics", paramLabel = "ID",
            description = "Kafka Streams application id (consumer group, internal topic prefix). Default: ${DEFAULT-VALUE}.")
    private String applicationId;

    @Matches(regex = Matches.NAME, describe = Matches.NAME_WORDS)
    @Option(names = "--instance-id", paramLabel = "ID",
            description = "This instance's stable name in its application (static group membership): a restarted "
                    + "instance with the same id takes its tasks back at once instead of after the session timeout "
                    + "(45 s) of the one that died. Give each running instance its own. Default: none.")
    private String instanceId;

    @Range(min = 0, max = 10)
    @Option(names = "--standby-replicas", defaultValue = "0", paramLabel = "N",
            description = "Copies of each task's state kept warm on other instances of the application (Kafka Streams'"
                    + " num.standby.replicas): when an instance dies, another serves its models from its copy at once and"
                    + " takes its tasks over without restoring them. Default: ${DEFAULT-VALUE}.")
    private int standbyReplicas;

    @Mixin
    private ReplicationFlag replication;

    @Override
    public Integer call() {
        MetricsService.Options options = options();
        PrintWriter out = spec.commandLine().getOut();
        // Installed before the stream starts: a stop during the start waits for it (see StopSignal).
        StopSignal stop = StopSignal.install();
        try (MetricsService service = MetricsService.start(options)) {
            TopicNames topics = options.metrics().topics();
            out.println("Metrics stream '" + applicationId + "' at " + options.kafka().bootstrapServers() + ": "
                    + topics.predictions() + " + " + topics.labels() + " + " + topics.references() + " -> "
                    + topics.metrics() + ", alerts -> " + topics.alerts() + " (" + options.metrics().alertRules().size()
                    + " rules), bad records -> " + topics.deadLetters());
            out.println("API: " + service.httpAddress() + "/api/models   Prometheus: " + service.httpAddress() + "/metrics"
                    + (options.httpToken().required() ? "   (bearer token required; dashboard: " + service.httpAddress()
                    + "/#token=<token>)" : ""));
            out.println("State: " + stateDir.toAbsolutePath() + "   Ctrl-C stops");
            out.flush();
            while (!stop.awaitStop(Duration.ofSeconds(1))) {
                // A stream that stopped by itself must not look alive behind an API serving frozen reports.
                Optional<RuntimeException> failure = service.failure();
                if (failure.isPresent()) {
                    throw failure.get();
                }
            }
            return stop.exitCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** {@code --alert}: one rule in {@link AlertRule#SYNTAX}. */
    static final class AlertRuleConverter implements DeclaredConverter<AlertRule> {
        @Override
        public AlertRule convert(String value) {
            try {
                return AlertRule.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }

        @Override
        public String describe() {
            return "an alert rule, " + AlertRule.SYNTAX;
        }

        @Override
        public List<String> refused() {
            return List.of("low: accuracy in last < 0.6 for 0", "low: accuracy in weekly < 0.6", "low: happiness in last < 1",
                    "estimated_accuracy < 0.6");
        }

        @Override
        public Optional<String> example() {
            return Optional.of("estimate-low: estimated_accuracy in last < 0.6 for 3");
        }
    }

    @Override
    public void checkFlags(CommandLine commandLine) {
        try {
            AlertRule.requireUniqueNames(alerts);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, "--alert: " + e.getMessage());
        }
        if (advance.compareTo(window) > 0) {
            throw new ParameterException(commandLine, "--advance (" + advance + ") must not exceed --window (" + window
                    + "): windows would leave gaps; --advance equal to --window gives tumbling windows");
        }
        if (window.toMillis() % advance.toMillis() != 0) {
            throw new ParameterException(commandLine, "--window (" + window + ") must be a multiple of --advance ("
                    + advance + ") so that every window starts on the advance grid");
        }
    }

    MetricsService.Options options() {
        TopicNames topics = TopicNames.defaults().withPredictions(predictionsTopic).withLabels(labelsTopic)
                .withMetrics(metricsTopic).withDeadLetters(deadLettersTopic).withReferences(referencesTopic)
                .withAlerts(alertsTopic);
        MetricsConfig config = new MetricsConfig(topics, window, advance, grace, lastN, labelWait,
                Duration.ofSeconds(1), RocSketch.DEFAULT_CELL_LIMIT, checkpointRecords, rules());
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        if (instanceId != null) {
            // Kafka Streams appends each stream thread's index to the main consumer's instance id.
            overrides.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        return new MetricsService.Options(kafka.settings(), config, applicationId,
                stateDir, httpHost, httpPort, overrides, httpToken.token()).withReplicationFactor(replication.value());
    }

    /** The --alert rules, then those of --alert-rules. @throws UserError when the file cannot be read or used */
    private List<AlertRule> rules() {
        List<AlertRule> rules = new ArrayList<>(alerts);
        if (alertRules != null) {
            try {
                rules.addAll(AlertRule.parseAll(Files.readString(alertRules), alertRules.toString()));
                AlertRule.requireUniqueNames(rules);
            } catch (IOException e) {
                throw new UserError(Setting.ALERT_RULES, "cannot read the alert rules in " + alertRules + " ("
                        + e.getMessage() + ")", e);
            } catch (IllegalArgumentException e) {
                throw new UserError(Setting.ALERT_RULES, e.getMessage() + " (rules: " + AlertRule.SYNTAX + ")", e);
            }
        }
        return rules;
    }
}

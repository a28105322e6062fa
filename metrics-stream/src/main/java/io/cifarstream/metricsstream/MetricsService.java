package io.cifarstream.metricsstream;

import io.cifarstream.broker.KafkaSettings;
import io.cifarstream.broker.TopicSetup;
import io.cifarstream.broker.TopicSpec;
import io.cifarstream.console.UserError;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The metrics stream as a running service: {@link MetricsTopology} in a {@link KafkaStreams} with
 * exactly_once_v2 (config from {@link KafkaSettings#streams}), plus the {@link MetricsHttpServer}. Used by
 * {@code cifar-stream metrics} and, in-process, by the demo. {@link #start} creates missing topics (one
 * partition each) and refuses predictions and labels topics with different partition counts (the join needs
 * them co-partitioned). {@link #close} stops the HTTP server, then the streams app with a clean commit.
 */
public final class MetricsService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsService.class);

    /** Everything a service needs; {@code streamsOverrides} are applied last (tests, benchmarks). */
    public record Options(KafkaSettings kafka, MetricsConfig metrics, String applicationId, Path stateDir,
            String httpHost, int httpPort, Map<String, Object> streamsOverrides) {

        public Options {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(httpHost, "httpHost");
            streamsOverrides = Map.copyOf(streamsOverrides);
        }

        public Options withStreamsOverrides(Map<String, Object> overrides) {
            return new Options(kafka, metrics, applicationId, stateDir, httpHost, httpPort, overrides);
        }
    }

    private final KafkaStreams streams;
    private final MetricsHttpServer http;
    private final StreamCounters counters;

    private MetricsService(KafkaStreams streams, MetricsHttpServer http, StreamCounters counters) {
        this.streams = streams;
        this.http = http;
        this.counters = counters;
    }

    /**
     * Starts the service; returns once the HTTP server listens (the streams app may still be restoring).
     *
     * @throws UserError when the state directory cannot be written, the HTTP port is taken or the input topics are
     *                   not co-partitioned
     */
    public static MetricsService start(Options options) {
        requireWritableStateDir(options.stateDir());
        MetricsConfig config = options.metrics();
        new TopicSetup(options.kafka()).ensure(config.topics().all().stream()
                .filter(topic -> !topic.equals(config.topics().images()))
                .map(topic -> TopicSpec.of(topic, 1)).toList());
        requireCoPartitioned(options.kafka(), config);

        Map<String, Object> props = options.kafka().streams(options.applicationId(), options.stateDir());
        props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MetricsTopology.MAX_CHECKPOINT_BYTES + 1024);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, options.httpHost() + ":" + options.httpPort());
        props.putAll(options.streamsOverrides());
        StreamCounters counters = new StreamCounters();
        KafkaStreams streams = new KafkaStreams(MetricsTopology.build(config, counters), new StreamsConfig(props));
        MetricsHttpServer http;
        try {
            http = new MetricsHttpServer(new StreamsReportSource(streams), counters, options.httpHost(), options.httpPort());
        } catch (IOException e) {
            streams.close();
            throw new UserError("cannot serve the metrics API on " + options.httpHost() + ":" + options.httpPort()
                    + " (" + e.getMessage() + "): pass another --http-port, or 0 for any free one", e);
        }
        streams.start();
        LOG.info("Metrics stream {} reading {} and {}, writing {} and {}; API and dashboard at {}/", options.applicationId(),
                config.topics().predictions(), config.topics().labels(), config.topics().metrics(),
                config.topics().deadLetters(), http.address());
        return new MetricsService(streams, http, counters);
    }

    /**
     * Fails before anything touches Kafka when the state directory cannot be created or written: Kafka Streams would
     * otherwise stop with a multi-line ProcessorStateException that names neither the option nor the fix.
     */
    private static void requireWritableStateDir(Path stateDir) {
        Path dir = stateDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".write-check-", ".tmp"));
        } catch (IOException e) {
            throw new UserError("cannot use " + dir + " as the metrics state directory (" + reason(e)
                    + "): pass a writable directory with --state-dir", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException) {
            return e.getMessage() + " exists and is not a directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getMessage();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.toString();
    }

    private static void requireCoPartitioned(KafkaSettings kafka, MetricsConfig config) {
        String predictions = config.topics().predictions();
        String labels = config.topics().labels();
        try (Admin admin = Admin.create(kafka.admin())) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(predictions, labels))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            int p = topics.get(predictions).partitions().size();
            int l = topics.get(labels).partitions().size();
            if (p != l) {
                throw new UserError("topics " + predictions + " (" + p + " partitions) and " + labels + " (" + l
                        + " partitions) must have the same number of partitions to join by image id: "
                        + "add partitions to the smaller one (kafka-topics --alter --partitions)");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not describe topics " + predictions + " and " + labels + " at "
                    + kafka.bootstrapServers() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topics", e);
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public StreamCounters counters() {
        return counters;
    }

    /** The HTTP API's address, e.g. {@code http://127.0.0.1:8080}. */
    public URI httpAddress() {
        return http.address();
    }

    public MetricsHttpServer http() {
        return http;
    }

    /** Waits until the streams app runs (restoration done), at most {@code timeout}. @return whether it does */
    public boolean awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state().hasCompletedShutdown()) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        http.close();
        // Leaving the group hands the tasks to the remaining or next instance at once, not after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}

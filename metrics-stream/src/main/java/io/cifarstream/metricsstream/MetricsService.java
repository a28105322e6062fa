package io.cifarstream.metricsstream;

import com.sun.net.httpserver.HttpServer;
import io.cifarstream.kafka.KafkaConnectionWatch;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.console.BearerToken;
import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.concurrent.TimeoutException;

/**
 * The metrics stream as a running service: {@link MetricsTopology} in a {@link KafkaStreams} with
 * exactly_once_v2 (config from {@link KafkaSettings#streams}), plus the {@link MetricsHttpServer}. Used by
 * {@code cifar-stream metrics} and, in-process, by the demo. {@link #start} creates missing topics (one
 * partition each) and refuses predictions and labels topics with different partition counts (the join needs
 * them co-partitioned). {@link #close} stops the HTTP server, then the streams app with a clean commit.
 *
 * <p>Several instances with the same application id share the work; each one's HTTP API serves every model
 * ({@link RoutingReportSource}). Each advertises its bound HTTP address as {@code application.server}: the bind
 * host, or this machine's host name when it binds every interface (0.0.0.0 or ::), and the actual port (also
 * when asked for port 0).
 */
public final class MetricsService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsService.class);
    /** Client id of a stream thread's main consumer, e.g. {@code cifar-metrics-<uuid>-StreamThread-1-consumer}. */
    private static final Pattern STREAM_THREAD_CONSUMER = Pattern.compile(".*-StreamThread-\\d+-consumer");
    /** Stream threads failed on Kafka errors replaced within {@link #THREAD_REPLACEMENT_WINDOW} before the instance stops. */
    private static final int THREAD_REPLACEMENTS = 10;
    private static final Duration THREAD_REPLACEMENT_WINDOW = Duration.ofMinutes(10);

    /**
     * Everything a service needs; {@code streamsOverrides} are applied last (tests, benchmarks); {@code httpToken}
     * guards the HTTP API (and is sent along on calls between instances); {@code replicationFactor} gives the topics
     * it creates, its own internal ones included, their replicas (empty: {@code min(3, brokers up)}).
     */
    public record Options(KafkaSettings kafka, MetricsConfig metrics, String applicationId, Path stateDir,
            String httpHost, int httpPort, Map<String, Object> streamsOverrides, BearerToken httpToken,
            OptionalInt replicationFactor) {

        public Options {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(httpHost, "httpHost");
            Objects.requireNonNull(httpToken, "httpToken");
            Objects.requireNonNull(replicationFactor, "replicationFactor");
            streamsOverrides = Map.copyOf(streamsOverrides);
        }

        /** Options whose topics get {@code min(3, brokers up)} replicas. */
        public Options(KafkaSettings kafka, MetricsConfig metrics, String applicationId, Path stateDir, String httpHost,
                int httpPort, Map<String, Object> streamsOverrides, BearerToken httpToken) {
            this(kafka, metrics, applicationId, stateDir, httpHost, httpPort, streamsOverrides, httpToken,
                    OptionalInt.empty());
        }

        /** Options with an open HTTP API (no token). */
        public Options(KafkaSettings kafka, MetricsConfig metrics, String applicationId, Path stateDir, String httpHost,
                int httpPort, Map<String, Object> streamsOverrides) {
            this(kafka, metrics, applicationId, stateDir, httpHost, httpPort, streamsOverrides, BearerToken.open());
        }

        public Options withStreamsOverrides(Map<String, Object> overrides) {
            return new Options(kafka, metrics, applicationId, stateDir, httpHost, httpPort, overrides, httpToken,
                    replicationFactor);
        }

        public Options withHttpToken(BearerToken token) {
            return new Options(kafka, metrics, applicationId, stateDir, httpHost, httpPort, streamsOverrides, token,
                    replicationFactor);
        }

        public Options withReplicationFactor(OptionalInt factor) {
            return new Options(kafka, metrics, applicationId, stateDir, httpHost, httpPort, streamsOverrides, httpToken,
                    factor);
        }
    }

    private final KafkaStreams streams;
    private final ReportSource reports;
    private final MetricsHttpServer http;
    private final StreamCounters counters;
    private final KafkaConnectionWatch connection;
    private final StreamThreadRecovery recovery;

    private MetricsService(KafkaStreams streams, ReportSource reports, MetricsHttpServer http, StreamCounters counters,
            KafkaConnectionWatch connection, StreamThreadRecovery recovery) {
        this.recovery = recovery;
        this.streams = streams;
        this.reports = reports;
        this.http = http;
        this.counters = counters;
        this.connection = connection;
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
        TopicSetup topicSetup = new TopicSetup(options.kafka()).withReplicationFactor(options.replicationFactor());
        // References are a few records keyed by model id, each model's latest one needed for ever: compacted.
        topicSetup.ensure(config.topics().all().stream()
                .filter(topic -> !topic.equals(config.topics().images()))
                .map(topic -> topic.equals(config.topics().references()) ? TopicSpec.compacted(topic, 1)
                        : TopicSpec.of(topic, 1)).toList());
        requireCoPartitioned(options.kafka(), config);
        topicSetup.requireExactlyOnce();
        int replicas = topicSetup.replicationFactor();

        // Bound first: the port (chosen by the OS for port 0) is what the other instances must be told.
        HttpServer bound;
        try {
            bound = MetricsHttpServer.bind(options.httpHost(), options.httpPort());
        } catch (IOException e) {
            throw new UserError(Setting.HTTP_ADDRESS, "cannot serve the metrics API on " + options.httpHost() + ":"
                    + options.httpPort() + " (" + e.getMessage() + "): choose another port, or 0 for any free one", e);
        }
        StreamCounters counters = new StreamCounters();
        KafkaStreams streams;
        ReportSource instanceReports;
        MetricsHttpServer http;
        try {
            HostInfo self = new HostInfo(advertisedHost(options.httpHost()), bound.getAddress().getPort());
            Map<String, Object> props = options.kafka().streams(options.applicationId(), options.stateDir());
            props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MetricsTopology.MAX_CHECKPOINT_BYTES + 1024);
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
            // Its changelog and repartition topics are replicated like every topic the project creates.
            props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicas);
            // Two threads: the join (keyed by image id) and the aggregation (keyed by model) are separate tasks, so
            // they run in parallel on two cores instead of taking turns on one.
            props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
            // Labels are often idle (predictions carry their label): with the default 0 Kafka Streams formats a
            // "waiting for data" message per processing loop for the empty labels partition (a tenth of the join
            // thread, profiled). The join takes either order within --label-wait, so there is nothing to wait for.
            props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
            props.putAll(options.streamsOverrides());
            streams = new KafkaStreams(MetricsTopology.build(config, counters), new StreamsConfig(props));
            instanceReports = new StreamsReportSource(streams);
            http = new MetricsHttpServer(bound, new RoutingReportSource(streams, self, instanceReports, options.httpToken()),
                    instanceReports, counters, options.httpToken());
        } catch (RuntimeException e) {
            bound.stop(0);
            throw e;
        }
        StreamThreadRecovery recovery = new StreamThreadRecovery(THREAD_REPLACEMENTS, THREAD_REPLACEMENT_WINDOW);
        streams.setUncaughtExceptionHandler(recovery);
        streams.start();
        LOG.info("Metrics stream {} reading {}, {} and {}, writing {}, {} ({} alert rules) and {}; API and dashboard at"
                + " {}/ ({})", options.applicationId(), config.topics().predictions(), config.topics().labels(),
                config.topics().references(), config.topics().metrics(), config.topics().alerts(),
                config.alertRules().size(), config.topics().deadLetters(), http.address(),
                options.httpToken().required() ? "bearer token required" : "no token: open to whoever reaches it");
        // Kafka Streams retries a lost broker on its own; this says so in the log, when it begins and when it ends.
        KafkaConnectionWatch connection = new KafkaConnectionWatch("metrics stream " + options.applicationId(),
                options.kafka().bootstrapServers(), streams::metrics, MetricsService::isStreamThreadConsumer)
                .startChecking(Duration.ofSeconds(1));
        return new MetricsService(streams, instanceReports, http, counters, connection, recovery);
    }

    /** The stream threads' main consumers poll all the time, so their connection counts are never stale. */
    private static boolean isStreamThreadConsumer(MetricName metric) {
        String client = metric.tags().getOrDefault("client-id", "");
        return metric.group().equals("consumer-metrics") && STREAM_THREAD_CONSUMER.matcher(client).matches();
    }

    /** The host other instances reach this one at: the bind host, or the host name when binding every interface. */
    private static String advertisedHost(String bindHost) {
        InetAddress address;
        try {
            address = InetAddress.getByName(bindHost);
        } catch (UnknownHostException e) {
            throw new UserError(Setting.HTTP_ADDRESS, "cannot resolve the HTTP host '" + bindHost + "' ("
                    + e.getMessage() + "): bind an address of this machine", e);
        }
        if (!address.isAnyLocalAddress()) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            // One instance needs no address for the others; several do, and will say so with a 503 naming it.
            LOG.warn("this machine's host name does not resolve ({}); other instances of the application cannot"
                    + " forward API calls here: bind this machine's address instead of {}", e.getMessage(), bindHost);
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
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
            throw new UserError(Setting.STATE_DIR, "cannot use " + dir + " as the metrics state directory ("
                    + reason(e) + "): choose a writable directory", e);
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
                throw new UserError(Setting.TOPICS, "topics " + predictions + " (" + p + " partitions) and " + labels + " (" + l
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

    /** The reports this instance holds (not those of other instances of the application). */
    public ReportSource reports() {
        return reports;
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

    /**
     * Why the streams app stopped by itself, if it did ({@link StreamThreadRecovery}: a stream thread failed with an
     * error a new thread would meet again, or on Kafka errors too often). Its HTTP API then serves reports that no
     * longer change, so whoever runs the service should stop it and say why.
     */
    public Optional<RuntimeException> failure() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.PENDING_ERROR && state != KafkaStreams.State.ERROR) {
            return Optional.empty();
        }
        Optional<StreamThreadRecovery.Stop> stop = recovery.stopped();
        return Optional.of(new IllegalStateException("The metrics stream stopped: " + stop.map(s -> s.reason() + " ("
                + s.cause() + (s.cause().getCause() == null ? "" : ", caused by " + rootCause(s.cause())) + ")")
                .orElse("Kafka Streams is in state " + state) + ". What it counted is committed with its input offsets,"
                + " so starting it again resumes where it stopped once the cause is fixed; the log has the stack trace",
                stop.map(StreamThreadRecovery.Stop::cause).orElse(null)));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
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
        connection.close();
        http.close();
        // Leaving the group hands the tasks to the remaining or next instance at once, not after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}

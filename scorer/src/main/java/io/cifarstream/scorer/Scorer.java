package io.cifarstream.scorer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cifarstream.kafka.AcknowledgementWatch;
import io.cifarstream.kafka.KafkaConnectionWatch;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;

/**
 * A running scorer instance: it reads {@code ImageEvent}s from the images topic, scores them with every model in
 * micro-batches, and writes one {@code Prediction} per image and model, or a {@code DeadLetter}, exactly once
 * (see {@link ScoringLoop} for how); and each model's {@code ModelReference} on the references topic when the model
 * loads with a reference file made for it (see {@link ScoringModel}). {@link #start} returns once the models are loaded, the topics exist and
 * the transactional producer is registered, which fences any predecessor with the same transactional id and
 * aborts its open transaction; scoring then runs on its own thread until {@link #close}.
 *
 * <p>Startup errors are {@link io.cifarstream.console.UserFixable} with one-line messages: a model that does not load, no broker at the
 * bootstrap address, a metrics port in use. Bad input never stops a scorer; if it stops on its own (fenced by a
 * successor, or batches failing repeatedly) {@link #failure()} says why.
 */
public final class Scorer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scorer.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** How long the partitions of an instance that died and was not restarted wait before others take them. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(15);
    /** How long a commit may wait before the log says why: longer than a leader's failover (about 10 s). */
    private static final Duration ACKNOWLEDGEMENT_PATIENCE = Duration.ofSeconds(12);

    private final ScorerConfig config;
    private final ScorerMetrics metrics;
    private final ScoringLoop loop;
    private final Thread thread;
    private final Optional<MetricsEndpoint> endpoint;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable failure;

    private Scorer(ScorerConfig config, ScorerMetrics metrics, ScoringLoop loop, Optional<MetricsEndpoint> endpoint,
            KafkaConsumer<byte[], ByteBuffer> consumer, TransactionalProducer producer, List<ScoringModel> models,
            List<AutoCloseable> watches) {
        this.config = config;
        this.metrics = metrics;
        this.loop = loop;
        this.endpoint = endpoint;
        this.thread = new Thread(() -> run(consumer, producer, models, watches), "scorer-" + config.instanceId());
    }

    /** Loads the models, connects, fences any predecessor and starts scoring. */
    public static Scorer start(ScorerConfig config) {
        List<ScoringModel> models = new ArrayList<>();
        TransactionalProducer producer = null;
        KafkaConsumer<byte[], ByteBuffer> consumer = null;
        Optional<MetricsEndpoint> endpoint = Optional.empty();
        AcknowledgementWatch acknowledgements = null;
        try {
            for (ModelSpec spec : config.models()) {
                ScoringModel model = ScoringModel.load(spec, config.modelOptions(), config.maxBatch());
                models.add(model);
                LOG.info("Model {} version {} loaded from {}", model.id(), model.version(), spec.path());
            }
            ensureTopics(config);
            producer = TransactionalProducer.start("Scorer " + config.transactionalId(),
                    () -> new KafkaProducer<>(producerConfig(config), new ByteArraySerializer(), new ByteArraySerializer()));
            // Values as ByteBuffers: slices of the fetched data, where Kafka would copy each into a byte[] of its own.
            consumer = new KafkaConsumer<>(consumerConfig(config), new ByteArrayDeserializer(), new ByteBufferDeserializer());
            ScorerMetrics metrics = new ScorerMetrics(config.transactionalId(), config.backlogBatch());
            // A commit waits while a partition it writes lacks in-sync replicas; this watch says so in the log.
            acknowledgements = new AcknowledgementWatch("scorer " + config.transactionalId(), config.kafka(),
                    config.topics().predictions(), ACKNOWLEDGEMENT_PATIENCE).startChecking(Duration.ofSeconds(1));
            BatchCommitter committer = new BatchCommitter(config, producer,
                    models.stream().map(ScoringModel::id).toList(), metrics, acknowledgements);
            ScoringLoop loop = new ScoringLoop(config, consumer, committer, models, metrics);
            consumer.subscribe(List.of(config.topics().images()), loop.rebalanceListener());
            endpoint = config.http().map(address -> MetricsEndpoint.start(address, config.httpToken(), metrics::prometheusText));
            // The scoring thread may wait on a commit through a whole broker outage; this watch says so in the log.
            KafkaConnectionWatch connection = new KafkaConnectionWatch("scorer " + config.transactionalId(),
                    config.kafka().bootstrapServers(), producer::metrics);
            Scorer scorer = new Scorer(config, metrics, loop, endpoint, consumer, producer, models,
                    List.of(connection, acknowledgements));
            connection.startChecking(Duration.ofSeconds(1));
            endpoint.ifPresent(e -> LOG.info("Scorer {} serves metrics at http://{}:{}/metrics",
                    config.transactionalId(), e.host(), e.port()));
            scorer.thread.start();
            return scorer;
        } catch (RuntimeException e) {
            endpoint.ifPresent(MetricsEndpoint::close);
            if (acknowledgements != null) {
                acknowledgements.close();
            }
            closeQuietly(consumer);
            closeQuietly(producer);
            models.forEach(ScoringModel::close);
            if (e instanceof KafkaException) {
                throw new UserError(Setting.KAFKA_CONFIG, "scorer " + config.transactionalId() + " cannot start: "
                        + e.getMessage() + " (Kafka at " + config.kafka().bootstrapServers() + ")", e);
            }
            throw e;
        }
    }

    /** The topics it reads and writes; references are a few records keyed by model id: one compacted partition. */
    private static void ensureTopics(ScorerConfig config) {
        List<TopicSpec> topics = new ArrayList<>(List.of(config.topics().images(), config.topics().predictions(),
                config.topics().deadLetters()).stream().map(name -> TopicSpec.of(name, config.partitions())).toList());
        topics.add(TopicSpec.compacted(config.topics().references(), 1));
        TopicSetup setup = new TopicSetup(config.kafka(), STARTUP_TIMEOUT).withReplicationFactor(config.replicationFactor());
        setup.ensure(topics);
        setup.requireExactlyOnce();
    }

    private static Map<String, Object> producerConfig(ScorerConfig config) {
        Map<String, Object> producer = config.kafka().transactionalProducer(config.transactionalId());
        producer.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) config.transactionTimeout().toMillis());
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) STARTUP_TIMEOUT.toMillis());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, config.transactionalId());
        return producer;
    }

    private static Map<String, Object> consumerConfig(ScorerConfig config) {
        Map<String, Object> consumer = config.kafka().consumer(config.group());
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch());
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, config.transactionalId());
        // Static membership: a restarted instance takes its predecessor's place (and partitions) at once instead
        // of waiting for the dead member's session to time out; a clean close still leaves the group (see run).
        consumer.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.transactionalId());
        consumer.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis());
        // Cooperative rebalancing: an instance joining or leaving moves only the partitions that change owner; the
        // others keep scoring (an eager rebalance would stop every instance and revoke every partition).
        consumer.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A fetch the broker parks waits at most this long for data; 500 ms (Kafka's default) shows up in latency.
        consumer.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        // Up to 8 MB of a partition per fetch instead of Kafka's 1 MB (about 330 images): a backlog is read in fewer
        // fetches, each a request the broker serves and a round trip the scoring thread can wait on in its poll (a
        // response stays within fetch.max.bytes, 50 MB). Measured end to end with the int8 model (docs/scoring.md).
        consumer.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return consumer;
    }

    private void run(KafkaConsumer<byte[], ByteBuffer> consumer, TransactionalProducer producer,
            List<ScoringModel> models, List<AutoCloseable> watches) {
        try {
            loop.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("Scorer {} stopped: {}", config.transactionalId(), e.getMessage(), e);
        } finally {
            try {
                consumer.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(CLOSE_TIMEOUT));
            } catch (RuntimeException e) {
                LOG.warn("Scorer {}: closing the consumer failed: {}", config.transactionalId(), e.toString());
            }
            watches.forEach(Scorer::closeQuietly);
            // A fenced producer must not try to abort: its successor owns the transactional id.
            producer.close(CLOSE_TIMEOUT);
            models.forEach(ScoringModel::close);
            stopped.countDown();
        }
    }

    /** What the scorer has done so far. */
    public ScorerMetrics metrics() {
        return metrics;
    }

    /** The port of the metrics endpoint, when it has one. */
    public OptionalInt httpPort() {
        return endpoint.map(e -> OptionalInt.of(e.port())).orElse(OptionalInt.empty());
    }

    public String transactionalId() {
        return config.transactionalId();
    }

    /** Why the scorer stopped on its own, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Waits until the scorer has stopped, by {@link #close} or on its own; false if {@code timeout} passed first. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops scoring: the records already consumed are scored and committed, then the clients leave the group and
     * close. Idempotent.
     */
    @Override
    public void close() {
        if (stopped.getCount() > 0) {
            loop.stop();
        }
        try {
            if (!stopped.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Scorer {} did not stop within {} s", config.transactionalId(), CLOSE_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            endpoint.ifPresent(MetricsEndpoint::close);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }
}

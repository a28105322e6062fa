package io.cifarstream.scorer;

import io.cifarstream.console.UserError;
import io.cifarstream.console.Setting;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.console.BearerToken;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.schemas.TopicNames;

/**
 * Everything one scorer instance needs. Start from {@link #of} and change what differs with the
 * {@code with...} methods.
 *
 * @param kafka              client settings (bootstrap servers, {@code --kafka-config})
 * @param topics             images are read from {@code images()}, predictions and dead letters written to theirs
 * @param models             one or more models; every image is scored by each
 * @param modelOptions       device, threads and conventions of models without metadata
 * @param group              consumer group; instances of one group share the images topic's partitions
 * @param instanceId         this instance's stable name within the group: its transactional id is
 *                           {@code cifar-stream-scorer-<group>-<instanceId>}, so a restarted instance fences the
 *                           one it replaces; instances running at the same time need different ids
 * @param maxBatch           most records per micro-batch (one transaction, one model call per model)
 * @param linger             longest wait for a micro-batch to fill after its first record, and the least time
 *                           between two transactions under load (after a quiet spell a record is scored at once)
 * @param backlogBatch       most records per transaction while a backlog lasts (the consumer's lag is at least this
 *                           many records): a batch then spans several model calls of up to {@code maxBatch} records
 *                           each, and Kafka's per-transaction cost is paid once for all of them; never fewer than
 *                           {@code maxBatch}
 * @param maxRecordBytes     longer values are dead-lettered undecoded
 * @param partitions         partitions of topics the scorer creates because they do not exist yet
 * @param replicationFactor  replicas of the topics it creates (empty: {@code min(3, brokers up)})
 * @param transactionTimeout how long the broker keeps a dead instance's open transaction before aborting it
 * @param http               where to serve {@code /metrics}, if anywhere (port 0: any free port)
 * @param httpToken          the bearer token {@code /metrics} requires, or {@link BearerToken#open()}
 * @param statusInterval     how often {@code status} receives a one-line summary
 * @param status             receives the status line, e.g. a terminal's standard error
 */
public record ScorerConfig(KafkaSettings kafka, TopicNames topics, List<ModelSpec> models, ModelOptions modelOptions,
        String group, String instanceId, int maxBatch, Duration linger, int backlogBatch, int maxRecordBytes, int partitions,
        OptionalInt replicationFactor, Duration transactionTimeout, Optional<InetSocketAddress> http, BearerToken httpToken, Duration statusInterval,
        Consumer<String> status) {

    public static final String DEFAULT_GROUP = "cifar-stream-scorer";
    public static final int DEFAULT_MAX_BATCH = 256;
    /** At 50% load on 2 cores: p50 15-18 ms, ~90 transactions a second (20 ms: p50 26 ms; see the README). */
    public static final int DEFAULT_LINGER_MS = 10;
    /**
     * A transaction costs the broker a few ms of CPU whatever its size (a marker per partition written, the
     * transaction log twice, the offsets): replaying 80,000 images with the int8 model on two cores, the embedded
     * broker took 2.05-2.85 s of CPU at 256 records per transaction and 0.93-0.95 s at 1024.
     */
    public static final int DEFAULT_BACKLOG_BATCH = 1024;
    public static final int MAX_BACKLOG_BATCH = 16_384;
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(DEFAULT_LINGER_MS);
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;
    /**
     * Longer than a broker failover: a transaction whose coordinator dies is finished by the next one, unless it has
     * been open this long, which fences the scorer. On the three-node cluster a failover took 10-17 s (the broker
     * session timeout is 9 s); 10 s fenced the scorer.
     */
    public static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

    public ScorerConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(modelOptions, "modelOptions");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(replicationFactor, "replicationFactor");
        Objects.requireNonNull(httpToken, "httpToken");
        Objects.requireNonNull(status, "status");
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new UserError(Setting.MODEL, "no model to score with: give at least one");
        }
        if (new HashSet<>(models.stream().map(ModelSpec::id).toList()).size() != models.size()) {
            throw new UserError(Setting.MODEL, "model ids must differ, got " + models
                    + ": name them, e.g. champion=a.onnx and challenger=b.onnx");
        }
        requireName(group, "group");
        requireName(instanceId, "instance id");
        if (maxBatch < 1 || maxBatch > 4096) {
            throw new IllegalArgumentException("maxBatch must be 1 to 4096, got " + maxBatch);
        }
        if (backlogBatch < 1 || backlogBatch > MAX_BACKLOG_BATCH) {
            throw new IllegalArgumentException("backlogBatch must be 1 to " + MAX_BACKLOG_BATCH + ", got " + backlogBatch);
        }
        backlogBatch = Math.max(backlogBatch, maxBatch);
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative, got " + linger.toMillis());
        }
        if (maxRecordBytes < 1024) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 1024, got " + maxRecordBytes);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (transactionTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("the transaction timeout must be at least 1 s, got " + transactionTimeout);
        }
        if (statusInterval.isNegative() || statusInterval.isZero()) {
            throw new IllegalArgumentException("the status interval must be positive, got " + statusInterval);
        }
    }

    /**
     * Default topics, group {@value #DEFAULT_GROUP}, instance 0, batches of {@value #DEFAULT_MAX_BATCH} or 20 ms,
     * values up to 256 KiB, 4 partitions for topics it creates, a 30 s transaction timeout, no HTTP endpoint (open when one is set), and
     * a status line every 5 s to standard error.
     */
    public static ScorerConfig of(KafkaSettings kafka, List<ModelSpec> models, ModelOptions modelOptions) {
        return new ScorerConfig(kafka, TopicNames.defaults(), models, modelOptions, DEFAULT_GROUP, "0",
                DEFAULT_MAX_BATCH, DEFAULT_LINGER, DEFAULT_BACKLOG_BATCH, DEFAULT_MAX_RECORD_BYTES, 4, OptionalInt.empty(),
                Duration.ofMillis(DEFAULT_TRANSACTION_TIMEOUT_MS),
                Optional.empty(), BearerToken.open(), Duration.ofSeconds(5), System.err::println);
    }

    /** The transactional id of this instance: stable across restarts, unique per group and instance. */
    public String transactionalId() {
        return "cifar-stream-scorer-" + group + "-" + instanceId;
    }

    public ScorerConfig withTopics(TopicNames value) {
        return new ScorerConfig(kafka, value, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withGroup(String value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, value, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withInstanceId(String value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, value, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withBatching(int newMaxBatch, Duration newLinger) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, newMaxBatch, newLinger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    /** Most records per transaction while a backlog lasts; never fewer than {@code maxBatch}. */
    public ScorerConfig withBacklogBatch(int value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, value,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withMaxRecordBytes(int value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                value, partitions, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withPartitions(int value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, value, replicationFactor, transactionTimeout, http, httpToken, statusInterval, status);
    }

    /** Replicas of the topics the scorer creates; empty: {@code min(3, brokers up)}. */
    public ScorerConfig withReplicationFactor(OptionalInt value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, value, transactionTimeout, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withTransactionTimeout(Duration value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, value, http, httpToken, statusInterval, status);
    }

    public ScorerConfig withHttp(InetSocketAddress value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, Optional.of(value), httpToken, statusInterval, status);
    }

    public ScorerConfig withHttpToken(BearerToken value) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, value, statusInterval, status);
    }

    public ScorerConfig withStatus(Duration interval, Consumer<String> sink) {
        return new ScorerConfig(kafka, topics, models, modelOptions, group, instanceId, maxBatch, linger, backlogBatch,
                maxRecordBytes, partitions, replicationFactor, transactionTimeout, http, httpToken, interval, sink);
    }

    private static void requireName(String value, String what) {
        if (value == null || !value.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException(what + " '" + value + "' is not usable: use 1 to 100 letters, digits,"
                    + " '.', '_' or '-'");
        }
    }
}

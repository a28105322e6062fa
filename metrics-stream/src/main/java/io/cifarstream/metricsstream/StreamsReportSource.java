package io.cifarstream.metricsstream;

import io.cifarstream.schemas.MetricsView;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interactive queries over this instance's {@link MetricsTopology#REPORTS_STORE}. A model's reports live on
 * the instance whose task owns the model's partition of the repartition topic; {@link RoutingReportSource}
 * finds the other instances' reports.
 *
 * <p>While the group rebalances (a member joined or died) or a task it was just given restores, Kafka Streams refuses
 * queries of its active stores. This instance's copy of the model's partition (the active store as of its last commit,
 * or a standby replica) then answers instead, marked {@link ViewReport#SERVED_BY}: a model stays served through a
 * rebalance wherever a copy exists, and is unavailable (503) only where none does.
 */
final class StreamsReportSource implements ReportSource {

    /** What a report served from this instance's copy of its partition says about itself. */
    static final String LOCAL_COPY = "this instance's copy of the model's task while the group rebalances or the task"
            + " restores; it may lag the live reports by a few commits";

    /** How old a remembered report may be to stand in for a store that does not answer. */
    static final Duration LAST_ANSWER_AGE = Duration.ofSeconds(10);

    private final KafkaStreams streams;
    private final boolean standbys;
    /** Each model's store partition, kept once known: the partition count is fixed while the application runs. */
    private final Map<String, Integer> partitions;
    /** The last report this instance's stores gave per report key, for the moments when none of them answers. */
    private final Map<String, LastAnswer> lastAnswers;

    /** A report as this instance's stores last gave it, and when ({@link System#nanoTime()}). */
    private record LastAnswer(String json, long nanos) {
    }

    StreamsReportSource(KafkaStreams streams) {
        this(streams, false, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }

    private StreamsReportSource(KafkaStreams streams, boolean standbys, Map<String, Integer> partitions,
            Map<String, LastAnswer> lastAnswers) {
        this.streams = streams;
        this.standbys = standbys;
        this.partitions = partitions;
        this.lastAnswers = lastAnswers;
    }

    /** Reads this instance's active stores and its standby replicas (Kafka Streams' stale stores). */
    @Override
    public ReportSource withStandbys() {
        return new StreamsReportSource(streams, true, partitions, lastAnswers);
    }

    @Override
    public List<String> models() {
        try {
            return modelsIn(store(OptionalInt.empty(), standbys));
        } catch (InvalidStateStoreException e) {
            if (standbys) {
                throw unavailable(e);
            }
            try {
                return modelsIn(store(OptionalInt.empty(), true));
            } catch (InvalidStateStoreException again) {
                again.addSuppressed(e);
                throw unavailable(again);
            }
        }
    }

    private static List<String> modelsIn(ReadOnlyKeyValueStore<String, String> store) {
        TreeSet<String> models = new TreeSet<>();
        try (KeyValueIterator<String, String> it = store.all()) {
            it.forEachRemaining(entry -> models.add(MetricsTopology.modelOfReportKey(entry.key)));
        }
        return new ArrayList<>(models);
    }

    @Override
    public Optional<String> report(String modelId, MetricsView view) {
        String key = MetricsTopology.reportKey(modelId, view);
        OptionalInt partition = OptionalInt.of(partitionOf(modelId));
        if (standbys) {
            try {
                return Optional.ofNullable(remembered(key, store(partition, true).get(key)));
            } catch (InvalidStateStoreException e) {
                return Optional.of(lastAnswer(key).orElseThrow(() -> unavailable(e)));
            }
        }
        InvalidStateStoreException notQueryable = null;
        try {
            String live = store(partition, false).get(key);
            if (live != null) {
                return Optional.of(remembered(key, live));
            }
        } catch (InvalidStateStoreException e) {
            notQueryable = e;
        }
        // Not queryable now, or empty because the task restores: this instance's copy of the partition, if any.
        try {
            String copy = store(partition, true).get(key);
            if (copy != null) {
                return Optional.of(ViewReport.servedBy(remembered(key, copy), LOCAL_COPY));
            }
        } catch (InvalidStateStoreException e) {
            if (notQueryable != null) {
                notQueryable.addSuppressed(e);
            }
        }
        if (notQueryable != null) {
            InvalidStateStoreException cause = notQueryable;
            return Optional.of(lastAnswer(key).orElseThrow(() -> new ReportsUnavailableException("model '" + modelId
                    + "' is not queryable on this instance now (application state " + streams.state() + ": the group is"
                    + " moving tasks, or this instance restores the model's task, which it holds no copy of); retry in a"
                    + " few seconds", cause)));
        }
        return Optional.empty();
    }

    private String remembered(String key, String json) {
        if (json != null) {
            lastAnswers.put(key, new LastAnswer(json, System.nanoTime()));
        }
        return json;
    }

    /**
     * The last report this instance's stores gave, if at most {@link #LAST_ANSWER_AGE} old, marked as such: while a
     * standby replica becomes the active task (a member died) neither store answers for a moment, which is no reason
     * to answer 503 for a model this instance served a moment ago.
     */
    private Optional<String> lastAnswer(String key) {
        LastAnswer last = lastAnswers.get(key);
        if (last == null) {
            return Optional.empty();
        }
        long ageNanos = System.nanoTime() - last.nanos();
        if (ageNanos > LAST_ANSWER_AGE.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(ViewReport.servedBy(last.json(), String.format(Locale.ROOT, "this instance's last answer,"
                + " %.1f s old, while the group moves the model's task to it", ageNanos / 1e9)));
    }

    /** The partition of the store that holds a model's reports: only that partition answers for the model. */
    private int partitionOf(String modelId) {
        Integer known = partitions.get(modelId);
        if (known != null) {
            return known;
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(MetricsTopology.REPORTS_STORE, modelId, Serdes.String().serializer());
        } catch (IllegalStateException | StreamsException e) {
            throw new ReportsUnavailableException("metrics are not queryable now (application state " + streams.state()
                    + "); retry in a few seconds", e);
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new ReportsUnavailableException("no instance holds model '" + modelId + "' right now (the application"
                    + " is starting); retry in a few seconds", null);
        }
        partitions.put(modelId, metadata.partition());
        return metadata.partition();
    }

    /** This instance's store of one partition, or of all it holds; with {@code stale}, its replicas and restoring tasks too. */
    private ReadOnlyKeyValueStore<String, String> store(OptionalInt partition, boolean stale) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, String>> query = StoreQueryParameters.fromNameAndType(
                MetricsTopology.REPORTS_STORE, QueryableStoreTypes.keyValueStore());
        if (partition.isPresent()) {
            query = query.withPartition(partition.getAsInt());
        }
        return streams.store(stale ? query.enableStaleStores() : query);
    }

    private ReportsUnavailableException unavailable(InvalidStateStoreException e) {
        return new ReportsUnavailableException("metrics are not queryable now (application state "
                + streams.state() + "); retry in a few seconds", e);
    }
}

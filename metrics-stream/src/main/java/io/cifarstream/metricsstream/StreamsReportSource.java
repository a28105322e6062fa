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

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * Interactive queries over this instance's {@link MetricsTopology#REPORTS_STORE}. A model's reports live on
 * the instance whose task owns the model's partition of the repartition topic; {@link RoutingReportSource}
 * finds the other instances' reports.
 */
final class StreamsReportSource implements ReportSource {

    private final KafkaStreams streams;
    private final boolean standbys;

    StreamsReportSource(KafkaStreams streams) {
        this(streams, false);
    }

    private StreamsReportSource(KafkaStreams streams, boolean standbys) {
        this.streams = streams;
        this.standbys = standbys;
    }

    /** Reads this instance's active stores and its standby replicas (Kafka Streams' stale stores). */
    @Override
    public ReportSource withStandbys() {
        return new StreamsReportSource(streams, true);
    }

    @Override
    public List<String> models() {
        TreeSet<String> models = new TreeSet<>();
        try (KeyValueIterator<String, String> it = store().all()) {
            it.forEachRemaining(entry -> models.add(MetricsTopology.modelOfReportKey(entry.key)));
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
        return new ArrayList<>(models);
    }

    @Override
    public Optional<String> report(String modelId, MetricsView view) {
        try {
            ReadOnlyKeyValueStore<String, String> store = store(OptionalInt.of(partitionOf(modelId)));
            return Optional.ofNullable(store.get(MetricsTopology.reportKey(modelId, view)));
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    /**
     * The partition of the store that holds a model's reports. Only that partition answers for the model: a query of
     * every local partition would not find it while its task restores (after a rebalance) and say 404 instead of 503.
     */
    private int partitionOf(String modelId) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(MetricsTopology.REPORTS_STORE, modelId, Serdes.String().serializer());
        } catch (IllegalStateException | StreamsException e) {
            throw new ReportsUnavailableException("metrics are not queryable now (application state " + streams.state()
                    + "); retry in a few seconds", e);
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new ReportsUnavailableException("no instance holds model '" + modelId + "' right now (the application"
                    + " is starting or rebalancing); retry in a few seconds", null);
        }
        return metadata.partition();
    }

    private ReadOnlyKeyValueStore<String, String> store() {
        return store(OptionalInt.empty());
    }

    /** This instance's store of one partition, or of all it holds; with standbys, their replicas too. */
    private ReadOnlyKeyValueStore<String, String> store(OptionalInt partition) {
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, String>> query = StoreQueryParameters.fromNameAndType(
                    MetricsTopology.REPORTS_STORE, QueryableStoreTypes.keyValueStore());
            if (partition.isPresent()) {
                query = query.withPartition(partition.getAsInt());
            }
            return streams.store(standbys ? query.enableStaleStores() : query);
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    private ReportsUnavailableException unavailable(InvalidStateStoreException e) {
        return new ReportsUnavailableException("metrics are not queryable now (application state "
                + streams.state() + "); retry in a few seconds", e);
    }
}

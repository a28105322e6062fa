package io.cifarstream.metricsstream;

import io.cifarstream.schemas.MetricsView;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
            return Optional.ofNullable(store().get(MetricsTopology.reportKey(modelId, view)));
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    private ReadOnlyKeyValueStore<String, String> store() {
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, String>> query = StoreQueryParameters.fromNameAndType(
                    MetricsTopology.REPORTS_STORE, QueryableStoreTypes.keyValueStore());
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

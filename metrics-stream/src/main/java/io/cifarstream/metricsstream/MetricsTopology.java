package io.cifarstream.metricsstream;

import io.cifarstream.schemas.Alert;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;

/**
 * The metrics stream: predictions, labels and model references in; per-model metric snapshots, alerts and dead
 * letters out.
 *
 * <pre>
 *  [predictions] (bytes, key image id) ─┐
 *                                       ├─ merge ─► label-join ─────┬─► Rejected ─────────────────────► [dead-letters]
 *  [labels]      (bytes, key image id) ─┘   (store: label-join)     │
 *  [references]  (bytes, key model id) ─► reference-intake ─────────┤
 *                                                                   └─► ForModel (ScoredPrediction, LabelledPrediction,
 *                                                                       ReferenceUpdate) ─► key by model id
 *                                                          ─► [repartition: labelled-by-model] ─► view-aggregator
 *                                                                                                   ├─► [metrics]
 *                                                                                                   └─► [alerts]
 *      (stores: metrics-journal, metrics-estimates-journal, metrics-checkpoints, metrics-reports)
 * </pre>
 *
 * <h2>Why this partitioning</h2>
 * Two stages, each partitioned by what it must see together. The join is keyed by image id, as both input
 * topics are (they must have the same partition count, as for any Kafka Streams join), so it spreads over all
 * instances. The aggregation is re-keyed by model id: the last-N view needs one order of all of a model's
 * records, which partial per-partition accumulators merged later cannot give (and cumulative and window views
 * then need no merge step either). One model's aggregation thus runs on one stream thread; it costs a few
 * microseconds per record, and there are few models, so the repartition is not the bottleneck, while the join,
 * the part that grows with the number of images, scales out. References join the same repartition topic, so a
 * model's aggregation sees its reference changes in one order with its predictions.
 *
 * <h2>Exactly once</h2>
 * Run with {@code processing.guarantee=exactly_once_v2} (see {@link MetricsService}): input offsets, the
 * repartition topic, the changelogs of the stores and the outputs commit in one transaction, so a restart
 * resumes from the changelogs with nothing counted twice and no alert sent twice. How the aggregation keeps its
 * large state cheap and exact is described in {@link ViewAggregator}; the join in {@link LabelJoin}.
 */
public final class MetricsTopology {

    public static final String JOIN_STORE = "label-join";
    public static final String JOURNAL_STORE = "metrics-journal";
    /** The journal of the predictions counted in the label-free estimates (see {@link ViewAggregator}). */
    public static final String ESTIMATES_JOURNAL_STORE = "metrics-estimates-journal";
    public static final String CHECKPOINTS_STORE = "metrics-checkpoints";
    /** Latest report per (model, view) as {@link ViewReport} JSON, for interactive queries; key {@link #reportKey}. */
    public static final String REPORTS_STORE = "metrics-reports";
    /** Name of the repartition topic's suffix ({@code <application.id>-labelled-by-model-repartition}). */
    public static final String BY_MODEL = "labelled-by-model";

    /**
     * Largest checkpoint record: the checkpoints changelog's {@code max.message.bytes}; {@link MetricsService} raises
     * the producer's {@code max.request.size} to match.
     */
    public static final int MAX_CHECKPOINT_BYTES = 32 * 1024 * 1024;

    private MetricsTopology() {
    }

    /** The topology for {@code config}; {@code counters} receives its event counts. */
    public static Topology build(MetricsConfig config, StreamCounters counters) {
        StreamsBuilder builder = new StreamsBuilder();
        // No record cache on the join: its keys are new with each prediction, so a cache would merge no writes and
        // only add a sorted-map lookup to each of the three reads and the write per prediction. The journals keep
        // theirs: a block is rewritten with each record, and the cache sends only its last version per commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(JOIN_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(JOURNAL_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ESTIMATES_JOURNAL_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled());
        // One checkpoint is one accumulator: up to ~5 MB at the default ROC cell limit, above Kafka's 1 MB default.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CHECKPOINTS_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled()
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_CHECKPOINT_BYTES))));
        // Derived from the checkpoints at the first punctuation after a restore, yet logged: a standby replica
        // (num.standby.replicas) holds only what the changelogs carry, and serves these reports while the owner is gone.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REPORTS_STORE),
                Serdes.String(), Serdes.String()).withCachingDisabled()
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_CHECKPOINT_BYTES))));

        KStream<byte[], byte[]> predictions = builder.stream(config.topics().predictions(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("predictions"));
        KStream<byte[], byte[]> labels = builder.stream(config.topics().labels(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("labels"));
        KStream<byte[], byte[]> references = builder.stream(config.topics().references(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("references"));

        KStream<byte[], JoinOutcome> edge = predictions.merge(labels, Named.as("predictions-and-labels"))
                .process(() -> new LabelJoin(config, counters), Named.as("label-join"), JOIN_STORE)
                .merge(references.process(() -> new ReferenceIntake(counters), Named.as("reference-intake")),
                        Named.as("joined-and-references"));

        edge.filter((key, outcome) -> outcome instanceof JoinOutcome.Rejected, Named.as("rejected"))
                .mapValues(outcome -> ((JoinOutcome.Rejected) outcome).deadLetter(), Named.as("dead-letter"))
                .to(config.topics().deadLetters(),
                        Produced.with(Serdes.ByteArray(), AvroSerde.deadLetters()).withName("dead-letters"));

        KStream<String, SpecificRecord> aggregated = edge
                .filter((key, outcome) -> outcome instanceof JoinOutcome.ForModel, Named.as("for-model"))
                .map((key, outcome) -> {
                    ModelEvent event = ((JoinOutcome.ForModel) outcome).event();
                    return KeyValue.pair(event.modelId(), event);
                }, Named.as("key-by-model"))
                .repartition(Repartitioned.with(Serdes.String(), ModelEvent.serde()).withName(BY_MODEL))
                .process(() -> new ViewAggregator(config, counters), Named.as("view-aggregator"),
                        JOURNAL_STORE, ESTIMATES_JOURNAL_STORE, CHECKPOINTS_STORE, REPORTS_STORE);
        aggregated.filter((key, value) -> value instanceof MetricsSnapshot, Named.as("snapshots"))
                .mapValues(value -> (MetricsSnapshot) value, Named.as("snapshot"))
                .to(config.topics().metrics(),
                        Produced.with(Serdes.String(), AvroSerde.metricsSnapshots()).withName("metrics"));
        aggregated.filter((key, value) -> value instanceof Alert, Named.as("alert-changes"))
                .mapValues(value -> (Alert) value, Named.as("alert"))
                .to(config.topics().alerts(), Produced.with(Serdes.String(), AvroSerde.alerts()).withName("alerts"));

        return builder.build();
    }

    /** The {@link #REPORTS_STORE} key of a (model, view). */
    public static String reportKey(String modelId, MetricsView view) {
        return modelId + '\u0000' + ViewReport.apiName(view);
    }

    /** The model id of a {@link #REPORTS_STORE} key. */
    public static String modelOfReportKey(String key) {
        return key.substring(0, key.indexOf('\u0000'));
    }
}

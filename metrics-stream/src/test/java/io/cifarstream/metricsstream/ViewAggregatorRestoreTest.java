package io.cifarstream.metricsstream;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.schemas.Alert;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.testkit.SyntheticPredictions;
import org.apache.avro.specific.SpecificRecord;
import io.cifarstream.schemas.TopicNames;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static io.cifarstream.metricsstream.TopologyHarness.confident;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregator's state in its stores, without a broker: the keys it writes (the format a running application's
 * changelogs hold), and a fresh aggregator on that state emitting what the one that wrote it would.
 */
class ViewAggregatorRestoreTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String MODEL_M = "00000001" + "6d"; // length, "m"
    private static final List<String> STORES = List.of(MetricsTopology.JOURNAL_STORE,
            MetricsTopology.ESTIMATES_JOURNAL_STORE, MetricsTopology.CHECKPOINTS_STORE);

    private final MetricsConfig config = MetricsConfig.defaults(TopicNames.defaults()).withLastN(5)
            .withCheckpointRecords(10);

    /** A processor context holding the aggregator's three stores, with {@code state}'s entries. */
    private static MockProcessorContext<String, SpecificRecord> context(Map<String, Map<Bytes, byte[]>> state) {
        MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0.toEpochMilli());
        for (String name : STORES) {
            KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                    Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            state.getOrDefault(name, Map.of()).forEach((key, value) -> store.put(key, value.clone()));
        }
        KeyValueStore<String, String> reports = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(MetricsTopology.REPORTS_STORE), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        reports.init(context.getStateStoreContext(), reports);
        context.addStateStore(reports);
        return context;
    }

    /** The journal's and the checkpoints' entries, in key order. */
    private static Map<String, Map<Bytes, byte[]>> state(MockProcessorContext<String, SpecificRecord> context) {
        Map<String, Map<Bytes, byte[]>> state = new TreeMap<>();
        for (String name : STORES) {
            Map<Bytes, byte[]> entries = new TreeMap<>();
            KeyValueStore<Bytes, byte[]> store = context.getStateStore(name);
            try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
                it.forEachRemaining(entry -> entries.put(entry.key, entry.value));
            }
            state.put(name, entries);
        }
        return state;
    }

    private static String hex(long value) {
        return HEX.formatHex(ByteBuffer.allocate(8).putLong(value).array());
    }

    private static List<String> hexKeys(Map<Bytes, byte[]> entries) {
        return entries.keySet().stream().map(key -> HEX.formatHex(key.get())).toList();
    }

    private static void add(ViewAggregator aggregator, long seq) {
        long eventTime = T0.toEpochMilli() + seq;
        aggregator.process(new Record<>("m", new LabelledPrediction("m", "img-" + seq, "v1", (int) (seq % 10),
                confident((int) (seq % 7), 0.6), eventTime), eventTime));
    }

    /** Runs the emit punctuation and returns what it emitted. */
    private static List<SpecificRecord> punctuate(MockProcessorContext<String, SpecificRecord> context) {
        context.resetForwards();
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
        return context.forwarded().stream().<SpecificRecord>map(forwarded -> forwarded.record().value()).toList();
    }

    @Test
    void aRestoredAggregatorEmitsWhatTheOneThatWroteTheStateWouldAndContinuesItsJournal() {
        MockProcessorContext<String, SpecificRecord> before = context(Map.of());
        ViewAggregator writer = new ViewAggregator(config, new StreamCounters());
        writer.init(before);
        for (long seq = 0; seq < 30; seq++) {
            add(writer, seq);
        }
        punctuate(before); // 30 records since none: a checkpoint through record 29
        for (long seq = 30; seq < 80; seq++) {
            add(writer, seq); // journalled only: a restore replays them
        }
        Map<String, Map<Bytes, byte[]>> stored = state(before);
        Map<Bytes, byte[]> checkpoints = stored.get(MetricsTopology.CHECKPOINTS_STORE);
        long pane = T0.toEpochMilli(); // on the 10 s advance grid, as every record's event time is within 80 ms of it
        assertThat(hexKeys(checkpoints)).as("cumulative 'C', meta 'M', the pane 'P' by its start")
                .containsExactly(MODEL_M + "43", MODEL_M + "4d", MODEL_M + "50" + hex(pane));
        assertThat(HEX.formatHex(checkpoints.get(Bytes.wrap(HEX.parseHex(MODEL_M + "4d")))))
                .as("the last sequence number included, then the stream time")
                .isEqualTo(hex(29) + hex(T0.toEpochMilli() + 29));
        assertThat(hexKeys(stored.get(MetricsTopology.JOURNAL_STORE))).as("blocks 0 to 2 by number")
                .containsExactly(MODEL_M + hex(0), MODEL_M + hex(1), MODEL_M + hex(2));

        MockProcessorContext<String, SpecificRecord> after = context(stored);
        ViewAggregator restored = new ViewAggregator(config, new StreamCounters());
        restored.init(after);
        assertThat(punctuate(after)).as("cumulative, last N and the current window, as the writer has them")
                .isEqualTo(punctuate(before)).hasSize(3);

        add(restored, 80);
        byte[] lastBlock = state(after).get(MetricsTopology.JOURNAL_STORE).get(Bytes.wrap(HEX.parseHex(MODEL_M + hex(2))));
        assertThat(JournalBlock.records(lastBlock, LabelledPrediction::fromBytes)).extracting(LabelledPrediction::imageId)
                .as("the partly filled block continued").hasSize(17).startsWith("img-64").endsWith("img-80");
    }

    /**
     * With a reference and an alert rule: the estimates' journal and checkpoint restore like the labelled ones, and
     * the alert that fired before stays fired, without a second alert.
     */
    @Test
    void aRestoredAggregatorKeepsTheReferenceTheEstimatesAndTheAlertStates() {
        MetricsConfig monitored = config.withAlertRules(List.of(AlertRule.parse("low: estimated_accuracy in cumulative < 0.99")));
        Calibration calibration = new SyntheticPredictions(2).reference(500);
        MockProcessorContext<String, SpecificRecord> before = context(Map.of());
        ViewAggregator writer = new ViewAggregator(monitored, new StreamCounters());
        writer.init(before);
        writer.process(new Record<>("m", new ReferenceUpdate("m", "v1", calibration, "test", T0.toEpochMilli()),
                T0.toEpochMilli()));
        for (long seq = 0; seq < 30; seq++) {
            score(writer, seq);
        }
        List<SpecificRecord> first = punctuate(before);
        assertThat(first).filteredOn(Alert.class::isInstance).as("the rule fires at the first evaluation").hasSize(1);
        for (long seq = 30; seq < 80; seq++) {
            score(writer, seq);
        }
        Map<String, Map<Bytes, byte[]>> stored = state(before);
        assertThat(hexKeys(stored.get(MetricsTopology.CHECKPOINTS_STORE))).as("alert 'A', estimates 'E' 'F' 'G', reference 'R'")
                .contains(MODEL_M + "41" + HEX.formatHex("low".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        MODEL_M + "45", MODEL_M + "46", MODEL_M + "52");
        assertThat(hexKeys(stored.get(MetricsTopology.ESTIMATES_JOURNAL_STORE))).as("blocks 0 to 2 by number")
                .containsExactly(MODEL_M + hex(0), MODEL_M + hex(1), MODEL_M + hex(2));

        MockProcessorContext<String, SpecificRecord> after = context(stored);
        ViewAggregator restored = new ViewAggregator(monitored, new StreamCounters());
        restored.init(after);
        List<SpecificRecord> restoredOutput = punctuate(after);
        assertThat(restoredOutput).allMatch(MetricsSnapshot.class::isInstance).hasSize(3);
        assertThat(((MetricsSnapshot) restoredOutput.get(0)).getEstimateCount()).isEqualTo(80);
        // Avro's generated equals finds a NaN unequal to itself (a distance's p-value): compare the text.
        assertThat(restoredOutput.toString()).isEqualTo(punctuate(before).toString());
    }

    /** Prediction {@code seq} of model m as first seen, every other one labelled, with image statistics. */
    private static void score(ViewAggregator aggregator, long seq) {
        long eventTime = T0.toEpochMilli() + seq;
        float[] stats = {0.4f, 0.45f, 0.5f, 0.2f, 0.21f, 0.22f, 0.1f, 0.7f};
        aggregator.process(new Record<>("m", new ScoredPrediction("m", "img-" + seq, "v1", confident((int) (seq % 7), 0.6),
                stats, seq % 2 == 0 ? (int) (seq % 10) : ScoredPrediction.NO_LABEL, eventTime), eventTime));
    }
}

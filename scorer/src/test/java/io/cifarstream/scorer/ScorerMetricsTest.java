package io.cifarstream.scorer;

import io.cifarstream.schemas.DeadLetterKind;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The Prometheus text the metrics endpoint serves and the status line, from recorded work. */
class ScorerMetricsTest {

    private static final Path ALERTING_RULES = Path.of("..", "ops", "prometheus", "cifar-stream-alerts.yml");

    @Test
    void histogramsAreCumulativeWithSumAndCountAndCountersCarryTheirLabels() {
        ScorerMetrics metrics = new ScorerMetrics("cifar-stream-scorer-g-0", 256);
        metrics.batchCommitted(3);
        metrics.batchCommitted(200);
        metrics.latencyMicros(4_000);
        metrics.latencyMicros(40_000);
        metrics.latencyMicros(400_000);
        metrics.deadLetter(DeadLetterKind.BAD_LABEL);
        metrics.deadLetter(DeadLetterKind.BAD_LABEL);
        metrics.deadLetter(DeadLetterKind.UNKNOWN_SCHEMA);
        metrics.imagesScored(200);
        metrics.predictions("champion", 200);
        metrics.modelVersion("champion", "ad5db10b14d2f04f");
        metrics.producerReplaced();

        String text = metrics.prometheusText();

        assertThat(text)
                .contains("# TYPE cifarstream_scorer_latency_seconds histogram\n")
                .contains("cifarstream_scorer_latency_seconds_bucket{le=\"0.0025\"} 0\n")
                .contains("cifarstream_scorer_latency_seconds_bucket{le=\"0.005\"} 1\n")
                .contains("cifarstream_scorer_latency_seconds_bucket{le=\"0.05\"} 2\n")
                .contains("cifarstream_scorer_latency_seconds_bucket{le=\"0.5\"} 3\n")
                .contains("cifarstream_scorer_latency_seconds_bucket{le=\"+Inf\"} 3\n")
                .contains("cifarstream_scorer_latency_seconds_sum 0.444\n")
                .contains("cifarstream_scorer_latency_seconds_count 3\n")
                .contains("cifarstream_scorer_batch_size_bucket{le=\"4\"} 1\n")
                .contains("cifarstream_scorer_batch_size_bucket{le=\"256\"} 2\n")
                .contains("cifarstream_scorer_dead_letters_total{kind=\"BAD_LABEL\"} 2\n")
                .contains("cifarstream_scorer_dead_letters_total{kind=\"UNKNOWN_SCHEMA\"} 1\n")
                .contains("cifarstream_scorer_predictions_total{model=\"champion\"} 200\n")
                .contains("cifarstream_scorer_model_info{model=\"champion\",version=\"ad5db10b14d2f04f\"} 1\n")
                .contains("cifarstream_scorer_transactions_total{outcome=\"committed\"} 2\n")
                .contains("cifarstream_scorer_producers_replaced_total 1\n")
                .contains("cifarstream_scorer_consumer_lag_records -1\n");
        // every sample line is NAME[{labels}] VALUE
        text.lines().filter(line -> !line.startsWith("#"))
                .forEach(line -> assertThat(line).matches("cifarstream_scorer_[a-z_]+(\\{[^}]*\\})? -?[0-9.e+-]+"));
    }

    @Test
    void theStatusLineSaysWhatWasDoneInOneLine() {
        ScorerMetrics metrics = new ScorerMetrics("cifar-stream-scorer-g-0", 16);
        metrics.imagesScored(1234);
        metrics.deadLetter(DeadLetterKind.WRONG_SIZE);
        metrics.batchCommitted(16);
        metrics.consumerLag(42);

        assertThat(metrics.statusLine()).startsWith("scorer cifar-stream-scorer-g-0: 1,234 images scored")
                .contains("1 dead letters").contains("lag 42").doesNotContain("\n");
    }

    @Test
    void everyScorerSeriesTheAlertingRulesReadIsOneItExports() throws Exception {
        Set<String> read = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(cifarstream_scorer_[a-z_]+)").matcher(Files.readString(ALERTING_RULES));
        while (m.find()) {
            read.add(m.group(1));
        }
        assertThat(read).contains("cifarstream_scorer_producers_replaced_total");

        Set<String> exported = new ScorerMetrics("cifar-stream-scorer-g-0", 16).prometheusText().lines()
                .filter(line -> !line.startsWith("#")).map(line -> line.replaceAll("[{ ].*", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(exported).containsAll(read);
    }
}

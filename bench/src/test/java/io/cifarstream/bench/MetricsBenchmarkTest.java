package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.metricsstream.MonitoringReport;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.schemas.MetricsView;

/**
 * {@code bench metrics} on a small run: both throughputs and the state sizes are reported, and every prediction went
 * through (no timing is judged); and the count its clock reads from a report.
 */
class MetricsBenchmarkTest {

    @Test
    void aSmallRunReportsBothThroughputsAndStateSizes(@TempDir Path dir) throws Exception {
        String json = new MetricsBenchmark(new MetricsBenchmark.Options(3_000, List.of(1_000, 5_000), dir)).run();
        JsonNode result = new ObjectMapper().readTree(json);

        for (String run : List.of("topology_test_driver", "embedded_broker_exactly_once_first_run",
                "embedded_broker_exactly_once", "embedded_broker_exactly_once_backfill")) {
            JsonNode figures = result.get(run);
            assertThat(figures.get("predictions").asInt()).as(run).isEqualTo(3_000);
            assertThat(figures.get("predictions_per_second").asLong()).as(run).isPositive();
            assertThat(figures.get("cpu_seconds").asDouble()).as(run).isPositive();
            assertThat(figures.get("predictions_per_cpu_second").asLong()).as(run).isPositive();
        }
        JsonNode sizes = result.get("state_bytes");
        assertThat(sizes).hasSize(2);
        assertThat(sizes.get(0).get("predictions").asInt()).isEqualTo(1_000);
        assertThat(sizes.get(1).get("cumulative").asLong()).as("more distinct scores, more cells: the state grows below the limit")
                .isGreaterThan(sizes.get(0).get("cumulative").asLong());
        assertThat(sizes.get(1).get("cumulative_roc_cells_class0").asInt()).isBetween(1, 5_000);
        assertThat(sizes.get(1).get("window_panes").asLong()).isPositive();
    }

    /** The clock's cheap read of a report's count is the count of the report as the API decodes it. */
    @Test
    void theCountReadFromAReportIsItsCount() {
        ClassificationAccumulator accumulator = new ClassificationAccumulator(10);
        Random random = new Random(4);
        for (int i = 0; i < 1_234; i++) {
            float[] logProbs = new float[10];
            int predicted = random.nextInt(10);
            for (int k = 0; k < 10; k++) {
                logProbs[k] = (float) Math.log(k == predicted ? 0.91 : 0.01);
            }
            accumulator.add(random.nextInt(10), logProbs);
        }
        String json = new ViewReport("m", MetricsView.CUMULATIVE, null, null, 0, accumulator.snapshot(),
                MonitoringReport.missing("no reference"), List.of()).toJson();

        assertThat(MetricsBenchmark.reportCount(json)).isEqualTo(1_234)
                .isEqualTo(ViewReport.fromJson(json).report().count());
    }
}

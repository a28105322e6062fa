package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/**
 * {@code bench scorer} on a small run: every figure the README quotes is there and consistent (no timing is judged:
 * a run on a shared machine proves nothing about speed).
 */
class ScorerBenchmarkTest {

    @Test
    void aSmallRunReportsRawEndToEndAndLatencyFigures(@TempDir Path dir) throws Exception {
        Path model = ForeignModel.copyTo(dir, "foreign_cnn.onnx");
        ModelOptions conventions = ModelOptions.defaults().withNormalization(ForeignModel.MEAN, ForeignModel.STD)
                .withOutput(OutputKind.LOGITS);

        Path brokerLogs = dir.resolve("broker-logs");
        JsonNode result = ScorerBenchmark.run(model, conventions, CifarTestData.testSplit().first(300), 64,
                Duration.ofMillis(20), 128, 1, Duration.ZERO, 0.5, Duration.ofSeconds(2), brokerLogs);

        assertThat(result.get("broker_log").get("directory").asText()).isEqualTo(brokerLogs.toString());
        assertThat(result.get("broker_log").get("filesystem").asText()).isNotBlank();
        try (Stream<Path> left = Files.list(brokerLogs)) {
            assertThat(left).as("the broker's log folder is deleted at the end").isEmpty();
        }

        JsonNode raw = result.get("raw_onnx_images_per_second");
        assertThat(raw.get("batch_1").asLong()).isPositive();
        assertThat(raw.get("batch_32").asLong()).isPositive();
        assertThat(raw.get("batch_256").asLong()).isPositive();
        JsonNode e2e = result.get("end_to_end");
        assertThat(e2e.get("images").asLong()).isEqualTo(300);
        assertThat(e2e.get("warmup").get("passes").asInt()).as("no time for more than the one warm-up pass").isEqualTo(1);
        assertThat(e2e.get("warmup").get("jit_share_of_last_pass").asDouble()).isBetween(0.0, 1.0);
        assertThat(e2e.get("images_per_second").asLong()).isPositive();
        assertThat(e2e.get("max_batch").asInt()).isEqualTo(64);
        assertThat(e2e.get("backlog_batch").asInt()).isEqualTo(128);
        assertThat(e2e.get("ratio_to_raw_batch_256").asDouble())
                .isEqualTo(Math.round(e2e.get("images_per_second").asDouble() / raw.get("batch_256").asDouble() * 1000)
                        / 1000.0, within(0.002));
        double rawBeside = (e2e.get("raw_batch_256_before").asDouble() + e2e.get("raw_batch_256_after").asDouble()) / 2;
        assertThat(e2e.get("raw_batch_256_before").asLong()).as("ONNX Runtime alone just before the timed pass").isPositive();
        assertThat(e2e.get("raw_batch_256_after").asLong()).as("and just after it").isPositive();
        assertThat(e2e.get("ratio_to_raw_batch_256_beside").asDouble())
                .isEqualTo(Math.round(e2e.get("images_per_second").asDouble() / rawBeside * 1000) / 1000.0, within(0.002));
        JsonNode phases = e2e.get("scoring_thread_seconds");
        assertThat(phases.fieldNames()).toIterable()
                .containsExactly("decode", "score", "commit", "poll", "wall_since_first_commit");
        assertThat(phases.get("poll").asDouble()).as("the scoring thread's time in the consumer's poll").isPositive();
        assertThat(e2e.get("cpu_seconds_by_thread_group").fieldNames()).toIterable()
                .containsExactly("scorer", "scorer_commit", "onnx_lanes", "kafka_clients", "gc", "jit", "jvm_other", "bench",
                        "broker");
        JsonNode latency = result.get("latency");
        long offered = latency.get("offered_images_per_second").asLong();
        assertThat(offered).as("half the end-to-end maximum").isCloseTo(e2e.get("images_per_second").asLong() / 2, within(1L));
        assertThat(latency.get("warmup").get("windows").asInt()).as("no time for a warm-up").isZero();
        assertThat(latency.get("predictions").asLong()).as("every image offered in the measured 2 s came back")
                .isCloseTo(offered * 2, within(Math.max(2L, offered / 10)));
        assertThat(latency.get("cpu_seconds_by_thread_group").fieldNames()).toIterable().contains("bench", "broker");
        assertThat(latency.get("p99_ms").asDouble()).isGreaterThanOrEqualTo(latency.get("p50_ms").asDouble());
        for (String stage : new String[] {"to_scorer", "in_scorer", "commit_and_read"}) {
            assertThat(latency.get(stage + "_p99_ms").asDouble()).as(stage)
                    .isGreaterThanOrEqualTo(latency.get(stage + "_p50_ms").asDouble())
                    .isLessThanOrEqualTo(latency.get("max_ms").asDouble() + 1);
        }
        assertThat(latency.get("transaction_p99_ms").asDouble()).isPositive();
        assertThat(latency.get("mean_batch").asDouble()).as("at most a backlog batch").isBetween(1.0, 128.0);
    }
}

package io.cifarstream.bench;

import io.cifarstream.trainer.Processor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.trainer.NativeAllocator;
import io.cifarstream.trainer.Precision;
import io.cifarstream.trainer.Recipe;
import org.junit.jupiter.api.Test;

/**
 * {@code bench train} on a few small bfloat16 steps of real training images: every figure the docs quote is there and
 * consistent (no timing is judged: a run on a shared machine proves nothing about speed).
 */
class TrainingBenchmarkTest {

    @Test
    void aFewStepsReportSpeedCpuSplitFaultsMemoryAndTheAllocator() throws Exception {
        Recipe recipe = Recipe.fast().withBatchSize(16);

        JsonNode result = TrainingBenchmark.run(recipe, Precision.BFLOAT16,
                CifarTestData.cifar10().train().first(100), 1, 2, 7);

        assertThat(result.get("recipe").asText()).isEqualTo("fast");
        assertThat(result.get("batch_size").asInt()).isEqualTo(16);
        assertThat(result.get("precision").asText()).isEqualTo("bfloat16");
        assertThat(result.get("allocator").asText()).isEqualTo(NativeAllocator.inUse().label());
        assertThat(result.get("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(result.get("cpu").get("family").asInt()).as("the processor the figures were measured on")
                .isEqualTo(Processor.current().family());
        assertThat(result.get("images").asLong()).as("7 timed steps of 16, wrapping past the 96 usable images")
                .isEqualTo(112);
        assertThat(result.get("images_per_second").asLong()).isPositive();
        assertThat(result.get("mean_loss").asDouble()).as("label-smoothed NLL of 10 classes near the start")
                .isBetween(1.0, 6.0);
        JsonNode cpu = result.get("cpu_seconds");
        assertThat(cpu.get("user").asDouble()).isPositive();
        assertThat(cpu.get("kernel").asDouble()).isNotNegative();
        assertThat(result.get("minor_faults_per_image").asDouble()).isNotNegative();
        JsonNode memory = result.get("resident_mib");
        assertThat(memory.get("peak").asLong()).isGreaterThanOrEqualTo(memory.get("end").asLong())
                .isGreaterThanOrEqualTo(memory.get("after_warmup").asLong() / 2);
    }
}

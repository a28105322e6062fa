package io.cifarstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.quantization.QuantizationConfig;
import io.cifarstream.quantization.Quantizer;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/** {@code bench quantized} on a short run: every figure is there and consistent (no timing is judged). */
class QuantizedBenchmarkTest {

    @Test
    void reportsBothModelsAtEveryBatchSizeWithTheMedianRatio(@TempDir Path dir) throws Exception {
        Cifar10 data = CifarTestData.cifar10();
        Path fp32 = ForeignModel.copyTo(dir, "foreign.onnx");
        ModelOptions conventions = ModelOptions.defaults().withNormalization(ForeignModel.MEAN, ForeignModel.STD)
                .withOutput(OutputKind.LOGITS);
        Path int8 = Quantizer.quantize(fp32, conventions, data.train(), data.test(),
                QuantizationConfig.defaults().withCalibrationImages(100), Quantizer.besideFp32(fp32)).model();

        JsonNode result = QuantizedBenchmark.run(fp32, int8, conventions.withThreads(1), data.test().first(512), 3,
                Duration.ofMillis(100));

        assertThat(result.get("lanes").asInt()).isEqualTo(1);
        assertThat(result.get("load_average_before")).hasSize(3);
        for (String batch : new String[] {"batch_1", "batch_32", "batch_256"}) {
            JsonNode figures = result.get("images_per_second").get(batch);
            assertThat(figures.get("fp32_rounds")).hasSize(3);
            assertThat(figures.get("int8_rounds")).hasSize(3);
            assertThat(figures.get("fp32_median").asLong()).isPositive();
            assertThat(figures.get("int8_median").asLong()).isPositive();
            assertThat(figures.get("int8_over_fp32_median").asDouble()).isPositive();
        }
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(QuantizedBenchmark.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(QuantizedBenchmark.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}

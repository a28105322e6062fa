package io.cifarstream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;


import io.cifarstream.bench.QuantizedBenchmark;
import io.cifarstream.quantization.Quantizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream bench quantized}: see {@link QuantizedBenchmark}. */
@Command(name = "quantized", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Raw ONNX Runtime images/s of an fp32 model and its int8 model, interleaved, batch 1/32/256 (JSON)")
final class BenchQuantizedCommand implements Callable<Integer> {

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The fp32 .onnx model.")
    Path model;

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--int8", paramLabel = "FILE",
            description = "Its int8 model (default: MODEL-int8.onnx beside it, as `quantize` writes it).")
    Path int8;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    DataFlag data;

    @Range(min = 1, max = 100)
    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N",
            description = "Rounds; each measures both models at every batch size. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Range(min = 0.1, max = 60)
    @Option(names = "--seconds", defaultValue = "2", paramLabel = "S",
            description = "Length of one measurement (one model, one batch size). Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Mixin
    BenchCommand.JsonFlag json;

    @Override
    public Integer call() throws Exception {
        Path quantized = int8 != null ? int8 : Quantizer.besideFp32(model);
        var figures = QuantizedBenchmark.run(model, quantized, modelFlags.toOptions(), data.open().test(), rounds,
                Duration.ofMillis(Math.round(seconds * 1000)));
        json.publish(figures);
        return 0;
    }
}

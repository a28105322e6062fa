package io.cifarstream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.quantization.QuantizationResult;
import io.cifarstream.quantization.Quantizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream quantize}: the int8 model of any float32 CIFAR-10 classifier, checked against it. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make an int8 model of an ONNX CIFAR-10 classifier (static QDQ), calibrated on training images",
            "", "Writes MODEL-int8.onnx beside the model: per-channel int8 weights, uint8 activations with ranges "
                + "calibrated on training images, the model's metadata plus the input and output conventions it was "
                + "calibrated with (so it needs no --input-mean/--input-std/--output). It is written only when it "
                + "predicts the float32 model's class on at least 98.5%% of 1,000 test images.", ""})
public final class QuantizeCommand implements Callable<Integer> {

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The float32 .onnx model.")
    Path model;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    DataFlag data;

    @Mixin
    QuantizationFlags quantization;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--out", paramLabel = "FILE", description = "Where the int8 model goes (default: MODEL-int8.onnx "
            + "beside the model).")
    Path out;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--json", paramLabel = "FILE", description = "Also write what was made and checked (agreement, "
            + "max |log-prob difference|, both accuracies on the test split) as JSON to FILE.")
    Path json;

    @Override
    public Integer call() throws Exception {
        Cifar10 cifar = data.open();
        Path target = out != null ? out : Quantizer.besideFp32(model);
        QuantizationResult result = Quantizer.quantize(model, modelFlags.toOptions(), cifar.train(), cifar.test(),
                quantization.toConfig(), target);
        System.out.print(QuantizationFlags.describe(result));
        if (json != null) {
            Files.createDirectories(json.toAbsolutePath().getParent());
            Files.writeString(json, QuantizationFlags.toJson(model, result));
            System.out.println("Wrote " + json);
        }
        return 0;
    }
}

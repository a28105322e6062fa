package io.cifarstream.cli;

import java.util.concurrent.Callable;

import io.cifarstream.bench.TrainingBenchmark;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.trainer.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream bench train}: see {@link TrainingBenchmark}. Run it alone on the machine. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Training images/s of warm steps (forward, backward, SGD, augmentation), their CPU split "
                + "user/kernel, page faults, resident memory and the malloc in use (JSON)")
final class BenchTrainCommand implements Callable<Integer> {

    @Mixin
    DataFlag data;

    @OneOf({"fast", "seed"})
    @Option(names = "--recipe", defaultValue = "fast", paramLabel = "fast|seed",
            description = "The recipe whose steps are timed. Default: ${DEFAULT-VALUE}.")
    String recipe;

    @Range(min = 1, max = 4096)
    @Option(names = "--batch-size", paramLabel = "N", description = "Images per step (default: the recipe's).")
    Integer batchSize;

    @Mixin
    PrecisionFlag precision;

    @Range(min = 1, max = 256)
    @Option(names = "--threads", paramLabel = "N", description = "PyTorch intra-op threads (default: all cores).")
    Integer threads;

    @Range(min = 0)
    @Option(names = "--warmup-steps", defaultValue = "20", paramLabel = "N",
            description = "Unreported steps first (libtorch's first steps pick kernels and grow its buffers). "
                    + "Default: ${DEFAULT-VALUE}.")
    int warmupSteps;

    @Range(min = 1)
    @Option(names = "--steps", defaultValue = "150", paramLabel = "N",
            description = "Timed steps (150 at batch 128: 19,200 images, ~10 s at 2,000 images/s). "
                    + "Default: ${DEFAULT-VALUE}.")
    int steps;

    @Mixin
    BenchCommand.JsonFlag json;

    @Override
    public Integer call() throws Exception {
        CifarImages train = data.open().train();
        Recipe chosen = Recipe.named(recipe);
        if (batchSize != null) {
            chosen = chosen.withBatchSize(batchSize);
        }
        var figures = TrainingBenchmark.run(chosen, precision.value(), train,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), warmupSteps, steps);
        json.publish(figures);
        return 0;
    }
}

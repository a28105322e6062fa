package io.cifarstream.trainer;

import java.nio.file.Path;

/**
 * What to train and where to write it.
 *
 * @param recipe     the hyper-parameters (ignored when resuming: the checkpoint's recipe is continued)
 * @param seed       seeds the initialization, data order and augmentation; same seed, same run
 * @param outDir     where model.onnx, history.json, the plots and checkpoints/ go
 * @param trainLimit train on the first N training images only (0 = all), for quick runs
 * @param resume     continue the run in {@code outDir} from its last checkpoint
 * @param threads    PyTorch intra-op threads
 */
public record TrainingConfig(Recipe recipe, long seed, Path outDir, int trainLimit, boolean resume, int threads) {

    public TrainingConfig {
        if (trainLimit < 0 || threads < 1) {
            throw new IllegalArgumentException("trainLimit must be >= 0 and threads >= 1");
        }
    }

    /** A fresh run of {@code recipe} with seed 42 on every available core. */
    public static TrainingConfig of(Recipe recipe, Path outDir) {
        return new TrainingConfig(recipe, 42, outDir, 0, false, Runtime.getRuntime().availableProcessors());
    }

    public TrainingConfig withTrainLimit(int limit) {
        return new TrainingConfig(recipe, seed, outDir, limit, resume, threads);
    }

    public TrainingConfig withSeed(long value) {
        return new TrainingConfig(recipe, value, outDir, trainLimit, resume, threads);
    }

    public TrainingConfig withResume(boolean value) {
        return new TrainingConfig(recipe, seed, outDir, trainLimit, value, threads);
    }

    public TrainingConfig withRecipe(Recipe value) {
        return new TrainingConfig(value, seed, outDir, trainLimit, resume, threads);
    }
}

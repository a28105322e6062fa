package io.cifarstream.trainer;

import java.nio.file.Path;

/**
 * What to train and where to write it.
 *
 * @param recipe     the hyper-parameters (ignored when resuming: the checkpoint's recipe is continued)
 * @param seed       seeds the initialization, data order and augmentation; same seed, same run
 * @param outDir     where model.onnx, history.json, the plots and checkpoints/ go
 * @param holdout    training images held out as the validation split (see {@link ValidationSplit}), on which the
 *                   exported model's reference statistics are made; 0 = none, and no reference file (ignored when
 *                   resuming: the checkpoint's holdout is continued)
 * @param trainLimit train on the first N images not held out only (0 = all), for quick runs
 * @param resume     continue the run in {@code outDir} from its last checkpoint
 * @param threads    PyTorch intra-op threads
 * @param precision  the number format of the training steps' convolutions (a resumed run may change it: the
 *                   checkpoint holds float32 weights either way)
 */
public record TrainingConfig(Recipe recipe, long seed, Path outDir, int holdout, int trainLimit, boolean resume,
                             int threads, Precision precision) {

    public TrainingConfig {
        if (precision == null) {
            throw new IllegalArgumentException("precision must be given");
        }
        if (holdout < 0 || trainLimit < 0 || threads < 1) {
            throw new IllegalArgumentException("holdout and trainLimit must be >= 0 and threads >= 1");
        }
    }

    /**
     * A fresh run of {@code recipe} with seed 42 on every available core in this CPU's fastest precision
     * ({@link Precision#fastestHere}), holding out the recipe's default validation split
     * ({@link ValidationSplit#defaultCount}).
     */
    public static TrainingConfig of(Recipe recipe, Path outDir) {
        return new TrainingConfig(recipe, 42, outDir, ValidationSplit.defaultCount(recipe), 0, false,
                Runtime.getRuntime().availableProcessors(), Precision.fastestHere());
    }

    public TrainingConfig withHoldout(int count) {
        return new TrainingConfig(recipe, seed, outDir, count, trainLimit, resume, threads, precision);
    }

    public TrainingConfig withTrainLimit(int limit) {
        return new TrainingConfig(recipe, seed, outDir, holdout, limit, resume, threads, precision);
    }

    public TrainingConfig withSeed(long value) {
        return new TrainingConfig(recipe, value, outDir, holdout, trainLimit, resume, threads, precision);
    }

    public TrainingConfig withResume(boolean value) {
        return new TrainingConfig(recipe, seed, outDir, holdout, trainLimit, value, threads, precision);
    }

    public TrainingConfig withRecipe(Recipe value) {
        return new TrainingConfig(value, seed, outDir, holdout, trainLimit, resume, threads, precision);
    }
}

package io.cifarstream.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cifarstream.dataset.Cifar10Locator;
import io.cifarstream.trainer.ConsoleTrainingListener;
import io.cifarstream.trainer.Recipe;
import io.cifarstream.trainer.Training;
import io.cifarstream.trainer.TrainingConfig;
import io.cifarstream.trainer.TrainingResult;
import io.cifarstream.trainer.ValidationSplit;

/**
 * The demo's model: the one given, else one trained with the fast recipe and cached by its recipe, epochs and seed,
 * so the next demo starts in seconds. An interrupted training resumes from its last checkpoint.
 */
public final class DemoModel {
    private DemoModel() {
    }

    /** {@code models/} beside the cached CIFAR-10 file: {@code ~/.cache/cifar-stream/models} (XDG rules apply). */
    public static Path cacheRoot() {
        return new Cifar10Locator().cacheFile().resolveSibling("models");
    }

    public static Path trainedOrCached(Path cacheRoot, int epochs, long seed, Path data) throws IOException {
        Recipe recipe = Recipe.fast().withEpochs(epochs);
        Path dir = cacheRoot.resolve("fast-" + epochs + "ep-seed" + seed);
        Path model = dir.resolve("model.onnx");
        if (Files.isRegularFile(model)) {
            System.out.println("Using the cached model " + model + " (delete it to train again)");
            return model;
        }
        boolean resume = Files.isDirectory(dir.resolve("checkpoints"));
        System.out.println((resume ? "Resuming" : "Training") + " the demo model (recipe fast, " + epochs
                + " epochs) into " + dir + "; it is cached for the next demo");
        TrainingConfig config = new TrainingConfig(recipe, seed, dir, ValidationSplit.defaultCount(recipe), 0, resume,
                Runtime.getRuntime().availableProcessors());
        TrainingResult result = Training.run(config, data, new ConsoleTrainingListener(System.out));
        return result.model();
    }
}

package io.cifarstream.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.Cifar10Locator;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.inference.ReferenceLookup;
import io.cifarstream.trainer.ConsoleTrainingListener;
import io.cifarstream.trainer.HoldoutReference;
import io.cifarstream.trainer.Precision;
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
            refreshReference(model, ValidationSplit.defaultCount(recipe), data);
            return model;
        }
        boolean resume = Files.isDirectory(dir.resolve("checkpoints"));
        System.out.println((resume ? "Resuming" : "Training") + " the demo model (recipe fast, " + epochs
                + " epochs) into " + dir + "; it is cached for the next demo");
        TrainingConfig config = new TrainingConfig(recipe, seed, dir, ValidationSplit.defaultCount(recipe), 0, resume,
                Runtime.getRuntime().availableProcessors(), Precision.fastestHere());
        TrainingResult result = Training.run(config, data, new ConsoleTrainingListener(System.out));
        return result.model();
    }

    /**
     * Fits the cached model's reference again on its held-out images when the one beside it is missing or unreadable
     * (made by an older calibration version): a cached model keeps its label-free estimates across upgrades.
     */
    private static void refreshReference(Path model, int holdout, Path data) throws IOException {
        String version;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults())) {
            version = classifier.version();
        }
        ReferenceLookup lookup = ReferenceFile.lookUp(model, version);
        if (lookup.reference().isPresent() || holdout == 0) {
            return;
        }
        System.out.println("Fitting the cached model's reference again on its " + holdout + " held-out images: "
                + lookup.explanation());
        CifarImages train = Cifar10.open(data).train();
        HoldoutReference.write(model, ValidationSplit.of(train.size(), holdout).validation(train),
                Runtime.getRuntime().availableProcessors());
    }
}

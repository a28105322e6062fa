package io.cifarstream.cli;

import io.cifarstream.console.ProgressBar;
import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.trainer.ValidationSplit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cifar-stream calibrate}: a model's reference file, made from labelled images for any ONNX model (trained
 * here or elsewhere), as {@code train} makes it on its held-out images.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make a model's reference file: its calibration and reference distributions",
            "", "Runs the model with ONNX Runtime on labelled CIFAR-10 images it did not train on, fits its "
                + "temperature and ATC threshold and records its predicted classes, confidences and the images' "
                + "image statistics (docs/metrics.md). The scorer publishes the file with the model; evaluate "
                + "uses it for the label-free estimates and drift checks. `train` makes one on its held-out images.",
            ""})
public final class CalibrateCommand implements Callable<Integer> {

    /** The images calibrate reads. */
    enum ReferenceSplit {
        /** The training split: only for models that did not train on it. */
        TRAIN,
        /** The test split, held out of every model trained on CIFAR-10's training split. */
        TEST,
        /** The training images {@code train --holdout N} held out ({@link ValidationSplit}). */
        VALIDATION
    }

    @Mixin
    ModelFileFlag modelFile;

    @Mixin
    DataFlag data;

    @OneOf({"train", "test", "validation"})
    @Option(names = "--split", defaultValue = "test", paramLabel = "train|test|validation",
            description = "The labelled images, ones the model did not train on: test (default), validation (the "
                    + "training images `train --holdout N` held out, for a model trained so), or train (for a "
                    + "model trained elsewhere on other images).")
    String split;

    @Range(min = 1, max = 50_000)
    @Option(names = "--limit", paramLabel = "N", description = "The first N images of the split; for validation, "
            + "the N images `train --holdout N` held out (default: all of test or train, "
            + ValidationSplit.FAST_DEFAULT + " of validation).")
    Integer limit;

    @Mixin
    ModelFlags modelFlags;

    @Mixin
    BatchSizeFlag batchSize;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--out", paramLabel = "FILE",
            description = "Where the reference file goes (default: beside the model, M.onnx -> M.reference.json, "
                    + "where the scorer and evaluate look for it).")
    Path out;

    @Override
    public Integer call() throws IOException {
        Path model = modelFile.path();
        ReferenceSplit chosen = ReferenceSplit.valueOf(split.toUpperCase(Locale.ROOT));
        Cifar10 cifar = data.open();
        CifarImages images = switch (chosen) {
            case TRAIN -> cifar.train().first(limit != null ? limit : cifar.train().size());
            case TEST -> cifar.test().first(limit != null ? limit : cifar.test().size());
            case VALIDATION -> ValidationSplit.of(cifar.train().size(),
                    limit != null ? Math.min(limit, cifar.train().size() - 1) : ValidationSplit.FAST_DEFAULT)
                    .validation(cifar.train());
        };
        String described = switch (chosen) {
            case TRAIN, TEST -> String.format(Locale.ROOT, "CIFAR-10 %s split: the first %,d images", images.split(),
                    images.size());
            case VALIDATION -> String.format(Locale.ROOT, "CIFAR-10 train split: %,d images held out of training "
                    + "(seed %d)", images.size(), ValidationSplit.SEED);
        };
        if (chosen == ReferenceSplit.TRAIN) {
            System.err.println("warning: calibrating on training images; if the model trained on them its "
                    + "confidences there are over-fitted and the reference will overrate it");
        }
        Path file = out != null ? out : ReferenceFile.beside(model);
        ReferenceFile reference;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, modelFlags.toOptions(), batchSize.value());
                ProgressBar bar = ProgressBar.start("calibrate", images.size(), "img")) {
            reference = ReferenceFile.measure(classifier, images.pixels(), images.labels(), images.size(), described,
                    bar::stepBy);
        }
        reference.write(file);
        Calibration c = reference.calibration();
        System.out.printf(Locale.ROOT, """
                Model %s (version %s) on %s
                reference accuracy %.2f%%, log-loss %.4f at temperature %.4f, ATC threshold %.4f
                Wrote %s
                """, model, reference.modelVersion(), described, c.referenceAccuracy() * 100, c.referenceLogLoss(),
                c.temperature(), c.atcThreshold(), file.toAbsolutePath());
        return 0;
    }
}

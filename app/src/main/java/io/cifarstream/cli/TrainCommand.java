package io.cifarstream.cli;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.quantization.QuantizationResult;
import io.cifarstream.quantization.Quantizer;
import io.cifarstream.trainer.ConsoleTrainingListener;
import io.cifarstream.trainer.Recipe;
import io.cifarstream.trainer.Training;
import io.cifarstream.trainer.TrainingConfig;
import io.cifarstream.trainer.TrainingResult;
import io.cifarstream.trainer.ValidationSplit;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.ParameterException;

/**
 * {@code cifar-stream train}: trains the CNN with a recipe, then exports and checks the ONNX model, and with
 * {@code --export int8} its int8 model (this command runs the trainer, then the quantization library on its model).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the CIFAR-10 CNN with DJL and export it to ONNX (and, with --export int8, to int8 ONNX)")
public final class TrainCommand implements Callable<Integer>, FlagRules {

    @Spec
    CommandSpec spec;

    @Mixin
    DataFlag data;

    @OneOf({"fast", "seed"})
    @Option(names = "--recipe", defaultValue = "fast", paramLabel = "fast|seed",
            description = "fast (ours, default) or seed (the original write-up's)")
    String recipe;

    @Range(min = 1)
    @Option(names = "--epochs", description = "passes over the training images (recipe's default)")
    Integer epochs;

    @Range(min = 1, max = 4096)
    @Option(names = "--batch-size", description = "images per step (recipe's default)")
    Integer batchSize;

    @Range(min = 0, minExcluded = true, max = 10)
    @Option(names = "--lr", description = "(peak) learning rate (recipe's default)")
    Double learningRate;

    @Range(min = 0, max = 1, maxExcluded = true)
    @Option(names = "--momentum", description = "SGD momentum (recipe's default)")
    Double momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum (recipe's default)")
    Boolean nesterov;

    @Range(min = 0, max = 1)
    @Option(names = "--weight-decay", description = "L2 penalty on weights (recipe's default)")
    Double weightDecay;

    @Range(min = 0, max = 1, maxExcluded = true)
    @Option(names = "--label-smoothing", description = "label smoothing, 0..1 (recipe's default)")
    Double labelSmoothing;

    @OneOf({"constant", "one-cycle"})
    @Option(names = "--schedule", paramLabel = "constant|one-cycle", description = "learning-rate schedule")
    String schedule;

    @Range(min = 0, max = 1, maxExcluded = true)
    @Option(names = "--warmup", description = "one-cycle warm-up share of all steps (recipe's default)")
    Double warmup;

    @Range(min = 0, max = 16)
    @Option(names = "--crop-padding", description = "random-crop padding in pixels, 0 = no crop (recipe's default)")
    Integer cropPadding;

    @Option(names = "--flip", negatable = true, description = "random horizontal flips (recipe's default)")
    Boolean flip;

    @OneOf({"pytorch", "he"})
    @Option(names = "--init", paramLabel = "pytorch|he", description = "weight initialization (recipe's default)")
    String init;

    @Range
    @Option(names = "--seed", defaultValue = "42", description = "seeds initialization, order, augmentation")
    long seed;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default runs/<recipe>-<timestamp>)")
    Path out;

    @Range(min = 0, max = 49_999)
    @Option(names = "--holdout", paramLabel = "N",
            description = "training images held out as the validation split (the same N for every run: a fixed "
                    + "seed draws them); the exported model's reference statistics are made on them, beside it as "
                    + "model.reference.json. 0 = train on all, no reference (default: 5000 for fast, 0 for seed)")
    Integer holdout;

    @Range(min = 0, max = 50_000)
    @Option(names = "--train-limit", defaultValue = "0", paramLabel = "N",
            description = "train on the first N of the images not held out only (0 = all of them)")
    int trainLimit;

    @Option(names = "--resume", description = "continue the run in --out from its last checkpoint")
    boolean resume;

    @Range(min = 1, max = 256)
    @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores)")
    Integer threads;

    @Mixin
    PrecisionFlag precision;

    @OneOf({"fp32", "int8"})
    @Option(names = "--export", defaultValue = "fp32", paramLabel = "fp32|int8",
            description = "fp32: model.onnx; int8: also model-int8.onnx beside it, quantized and checked as "
                    + "`quantize` does (default: ${DEFAULT-VALUE})")
    String export;

    @Mixin
    QuantizationFlags quantization;

    @Override
    public void checkFlags(CommandLine commandLine) {
        if (resume && out == null) {
            throw new ParameterException(commandLine, "--resume needs --out DIR, the folder of the run to continue");
        }
        if (resume && !recipeOverrides().isEmpty()) {
            throw new ParameterException(commandLine, "--resume continues the saved recipe; drop "
                    + String.join(", ", recipeOverrides()) + " or start a new run with another --out");
        }
        if (resume && holdout != null) {
            throw new ParameterException(commandLine, "--resume continues the saved held-out split; drop --holdout"
                    + " or start a new run with another --out");
        }
        if (quantization.given() && !"int8".equals(export)) {
            throw new ParameterException(commandLine, "--calibration and --calibration-images belong to the int8 "
                    + "export; add --export int8 or drop them");
        }
        if (warmup != null && "constant".equals(schedule)) {
            throw new ParameterException(commandLine, "--warmup belongs to the one-cycle schedule; drop it or use"
                    + " --schedule one-cycle");
        }
    }

    @Override
    public Integer call() throws Exception {
        Recipe chosen = recipe();
        Path outDir = out != null ? out : Path.of("runs", chosen.name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path location = data.locate();
        TrainingConfig config = new TrainingConfig(chosen, seed, outDir,
                holdout != null ? holdout : ValidationSplit.defaultCount(chosen), trainLimit, resume,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                precision.value());
        TrainingResult result = Training.run(config, location, new ConsoleTrainingListener(System.out));
        System.out.printf("""
                model         %s
                reference     %s
                history       %s
                loss plot     %s
                accuracy plot %s
                checkpoints   %s
                """, result.model().toAbsolutePath(),
                result.reference().map(p -> p.toAbsolutePath().toString()).orElse("none (nothing held out)"),
                result.historyFile().toAbsolutePath(), result.lossPlot().toAbsolutePath(),
                result.accuracyPlot().toAbsolutePath(), result.checkpoints().toAbsolutePath());
        if ("int8".equals(export)) {
            Cifar10 cifar = Cifar10.open(location);
            QuantizationResult int8 = Quantizer.quantize(result.model(), ModelOptions.defaults(), cifar.train(),
                    cifar.test(), quantization.toConfig(), Quantizer.besideFp32(result.model()));
            System.out.print(QuantizationFlags.describe(int8));
        }
        return 0;
    }

    private Recipe recipe() {
        Recipe r = Recipe.named(recipe);
        if (epochs != null) {
            r = r.withEpochs(epochs);
        }
        if (batchSize != null) {
            r = r.withBatchSize(batchSize);
        }
        if (learningRate != null) {
            r = r.withLearningRate(learningRate);
        }
        if (momentum != null || nesterov != null) {
            r = r.withMomentum(momentum != null ? momentum : r.momentum(), nesterov != null ? nesterov : r.nesterov());
        }
        if (weightDecay != null) {
            r = r.withWeightDecay(weightDecay);
        }
        if (labelSmoothing != null) {
            r = r.withLabelSmoothing(labelSmoothing);
        }
        if (schedule != null || warmup != null) {
            Recipe.Schedule kind = schedule == null ? r.schedule() : switch (schedule) {
                case "constant" -> Recipe.Schedule.CONSTANT;
                case "one-cycle" -> Recipe.Schedule.ONE_CYCLE;
                default -> throw new IllegalStateException("--schedule is declared one of constant, one-cycle");
            };
            r = r.withSchedule(kind, warmup != null ? warmup : r.warmupFraction());
        }
        if (cropPadding != null || flip != null) {
            r = r.withAugmentation(cropPadding != null ? cropPadding : r.cropPadding(),
                    flip != null ? flip : r.horizontalFlip());
        }
        if (init != null) {
            r = r.withInitialization(switch (init) {
                case "pytorch" -> Recipe.Initialization.PYTORCH;
                case "he" -> Recipe.Initialization.HE;
                default -> throw new IllegalStateException("--init is declared one of pytorch, he");
            });
        }
        return r;
    }

    private List<String> recipeOverrides() {
        List<String> given = new ArrayList<>();
        Object[][] options = {{"--epochs", epochs}, {"--batch-size", batchSize}, {"--lr", learningRate},
            {"--momentum", momentum}, {"--nesterov", nesterov}, {"--weight-decay", weightDecay},
            {"--label-smoothing", labelSmoothing}, {"--schedule", schedule}, {"--warmup", warmup},
            {"--crop-padding", cropPadding}, {"--flip", flip}, {"--init", init}};
        for (Object[] option : options) {
            if (option[1] != null) {
                given.add((String) option[0]);
            }
        }
        return given;
    }
}

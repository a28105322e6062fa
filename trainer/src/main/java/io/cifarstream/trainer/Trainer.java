package io.cifarstream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ReferenceFile;

/**
 * The training loop: per epoch, shuffled (and augmented) batches through forward, backward (in the configured
 * {@link Precision}) and an SGD step, then test accuracy, {@value #HISTORY_FILE}, the plots and a checkpoint; at the
 * end the ONNX export and its parity check, then, when the run held out a validation split
 * ({@link ValidationSplit}), the exported model's reference statistics on it, written beside the model
 * ({@link ReferenceFile}). Deterministic given the seed and the precision on one machine (initialization, order and
 * augmentation all come from the seed; the held-out images from a fixed seed). A run in a folder that already
 * holds checkpoints must be resumed, never silently overwritten.
 */
public final class Trainer {
    public static final String MODEL_FILE = "model.onnx";
    public static final String HISTORY_FILE = "history.json";
    public static final String LOSS_PLOT = "loss.png";
    public static final String ACCURACY_PLOT = "accuracy.png";
    public static final String CHECKPOINTS = "checkpoints";
    /** Batches averaged by the loss plot's moving average (the seed averaged its running loss the same way). */
    static final int LOSS_WINDOW = 50;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainingConfig config;
    private final CifarImages train;
    private final CifarImages test;
    private final TrainingListener listener;

    public Trainer(TrainingConfig config, CifarImages train, CifarImages test, TrainingListener listener) {
        this.config = config;
        this.train = train;
        this.test = test;
        this.listener = listener;
    }

    public TrainingResult run() throws IOException {
        Path out = config.outDir();
        Path checkpointDir = out.resolve(CHECKPOINTS);
        Optional<Checkpoint> resumed = resumeFrom(checkpointDir);
        Recipe recipe = resumed.map(Checkpoint::recipe).orElse(config.recipe());
        long seed = resumed.map(Checkpoint::seed).orElse(config.seed());
        int holdout = resumed.map(Checkpoint::heldOut).orElse(config.holdout());
        ValidationSplit split = ValidationSplit.of(train.size(), holdout);
        CifarImages training = split.training(train, config.trainLimit());
        CifarImages validation = split.validation(train);
        int images = training.size();
        if (resumed.isPresent() && resumed.get().trainImages() != images) {
            throw new UserError(Setting.RESUME, "the checkpoint in " + checkpointDir + " trained on "
                    + resumed.get().trainImages() + " images, this run would use " + images
                    + ": resume with the same training-image limit");
        }
        Files.createDirectories(out);

        Engine engine = Engine.getEngine("PyTorch"); // loads the native library before its settings are touched
        JniUtils.setNumThreads(config.threads());
        try (NDManager manager = engine.newBaseManager()) {
            SplitMix64 initialization = new SplitMix64(seed);
            CifarNet net = CifarNet.create(manager, initialization, recipe.initialization());
            SplitMix64 random = new SplitMix64(initialization.nextLong());
            Normalization normalization = Normalization.of(recipe.normalization(), training.pixels(), images);
            SgdOptimizer optimizer = new SgdOptimizer(net.parameters(), manager, recipe.momentum(),
                    recipe.nesterov(), recipe.weightDecay());
            List<EpochRecord> history = new ArrayList<>();
            LossLog losses = new LossLog();
            long step = 0;
            int firstEpoch = 1;
            if (resumed.isPresent()) {
                Checkpoint c = resumed.get();
                net.setParameterValues(c.weights());
                optimizer.setMomentumValues(c.momentum());
                random = new SplitMix64(c.rngState());
                normalization = new Normalization(c.normalizationMean(), c.normalizationStd());
                history.addAll(c.history());
                losses.addAll(c.batchLosses());
                step = c.step();
                firstEpoch = c.epoch() + 1;
            }
            int batchSize = recipe.batchSize();
            int batches = (images + batchSize - 1) / batchSize;
            LearningRateSchedule schedule = LearningRateSchedule.of(recipe, batches);
            BatchAssembler assembler = new BatchAssembler(normalization, batchSize, recipe.cropPadding(),
                    recipe.horizontalFlip(), recipe.labelSmoothing());
            TrainingStep trainingStep = new TrainingStep(training, net, config.precision(), manager, assembler,
                    optimizer);
            NetworkScorer scorer = new NetworkScorer(net, manager, normalization);
            listener.started(recipe, seed, config.precision(), net.parameterTable(), images, holdout, out,
                    firstEpoch);

            double elapsedBefore = history.isEmpty() ? 0 : history.get(history.size() - 1).elapsedSeconds();
            long runStart = System.nanoTime();
            for (int epoch = firstEpoch; epoch <= recipe.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                listener.epochStarted(epoch, recipe.epochs(), images);
                int[] order = random.permutation(images);
                double lossSum = 0;
                double lr = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * batchSize;
                    int count = Math.min(batchSize, images - from);
                    lr = schedule.at(step);
                    float loss = trainingStep.run(order, from, count, random, lr);
                    step++;
                    losses.add(loss);
                    lossSum += loss;
                    listener.batchFinished(count, loss, lr);
                }
                double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
                double accuracy = scorer.accuracy(test.pixels(), test.labels(), test.size());
                EpochRecord record = new EpochRecord(epoch, elapsedBefore + (System.nanoTime() - runStart) / 1e9,
                        lossSum / batches, accuracy, images / trainSeconds, lr);
                history.add(record);
                new Checkpoint(recipe, seed, epoch, step, random.state(), normalization.mean(), normalization.std(),
                        images, holdout, history, net.parameterValues(), optimizer.momentumValues(),
                        losses.toArray())
                        .save(checkpointDir);
                writeHistory(history, out.resolve(HISTORY_FILE));
                TrainingPlots.lossCurve(losses.toArray(), batches, Math.min(LOSS_WINDOW, Math.max(1, batches)),
                        out.resolve(LOSS_PLOT));
                TrainingPlots.accuracy(history, out.resolve(ACCURACY_PLOT));
                listener.epochFinished(record, (System.nanoTime() - epochStart) / 1e9);
            }

            double accuracy = history.isEmpty() ? scorer.accuracy(test.pixels(), test.labels(), test.size())
                    : history.get(history.size() - 1).testAccuracy();
            Path model = out.resolve(MODEL_FILE);
            listener.exportStarted(model);
            ExportResult export = ModelExport.export(net, scorer, normalization,
                    new ModelExport.Description(recipe, recipe.epochs(), accuracy, test.classNames()),
                    test.pixels(), test.size(), model);
            listener.exported(export);
            Optional<Path> reference = Optional.empty();
            if (validation.size() > 0) {
                reference = Optional.of(writeReference(model, validation));
            }
            return new TrainingResult(model, accuracy, history, export, reference, out);
        }
    }

    private Path writeReference(Path model, CifarImages validation) throws IOException {
        Path file = ReferenceFile.beside(model);
        listener.referenceStarted(file, validation.size());
        ReferenceFile reference = HoldoutReference.write(model, validation, config.threads());
        listener.referenceWritten(file, reference);
        return file;
    }

    private Optional<Checkpoint> resumeFrom(Path checkpointDir) throws IOException {
        Optional<Path> latest = Checkpoint.latest(checkpointDir);
        if (!config.resume()) {
            if (latest.isPresent()) {
                throw new UserError(Setting.OUTPUT, config.outDir() + " already holds a run ("
                        + latest.get().getFileName() + "): resume it, or choose another output folder");
            }
            return Optional.empty();
        }
        if (latest.isEmpty()) {
            throw new UserError(Setting.RESUME, "nothing to resume: no checkpoint in " + checkpointDir
                    + "; name the output folder of an interrupted run, or start a new run");
        }
        return Optional.of(Checkpoint.load(latest.get()));
    }

    private static void writeHistory(List<EpochRecord> history, Path file) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".partial");
        JSON.writeValue(temporary.toFile(), history);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Every batch's loss, growing without boxing. */
    private static final class LossLog {
        private float[] values = new float[1024];
        private int size;

        void add(float value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(float[] more) {
            for (float v : more) {
                add(v);
            }
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}

package io.cifarstream.trainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

import io.cifarstream.console.ProgressBar;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.metrics.Calibration;

/**
 * Reports a run on the console: the recipe and parameter table at the start, a progress bar per epoch (images/s,
 * loss, ETA; plain lines when not on a terminal), a summary line per epoch, and where everything went.
 */
public final class ConsoleTrainingListener implements TrainingListener {
    private final PrintStream out;
    private ProgressBar bar;
    private double recentLoss = Double.NaN;
    private long remaining;

    public ConsoleTrainingListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(Recipe recipe, long seed, Precision precision, ParameterTable parameters, int trainImages,
                        int heldOut, Path outDir, int nextEpoch) {
        out.print(parameters.format());
        out.print(recipe.describe());
        out.printf(Locale.ROOT, "seed             %d%ntrain images     %,d%nheld out         %s%noutput           %s%n",
                seed, trainImages, heldOut == 0 ? "none (no reference statistics)"
                        : String.format(Locale.ROOT, "%,d (validation: the reference statistics)", heldOut),
                outDir.toAbsolutePath());
        out.printf("precision        %s%n", describe(precision));
        NativeAllocator allocator = NativeAllocator.inUse();
        out.printf("malloc           %s%n", allocator == NativeAllocator.GLIBC
                ? "glibc: " + NativeAllocator.ADVICE : allocator.label());
        if (nextEpoch > 1) {
            out.printf(Locale.ROOT, "resuming at epoch %d of %d%n", nextEpoch, recipe.epochs());
        }
    }

    private static String describe(Precision precision) {
        if (precision == Precision.FLOAT32) {
            return "float32";
        }
        return "bfloat16 convolutions, float32 weights and updates"
                + (Precision.fastestHere() == Precision.BFLOAT16 ? ""
                        : " (this CPU has no native bfloat16: slower than float32 here)");
    }

    @Override
    public void epochStarted(int epoch, int epochs, int images) {
        recentLoss = Double.NaN;
        remaining = images;
        bar = ProgressBar.start(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), images, "img");
    }

    @Override
    public void batchFinished(int images, float loss, double learningRate) {
        // An exponential average keeps the shown loss readable at batch 4 as at batch 128.
        recentLoss = Double.isNaN(recentLoss) ? loss : 0.98 * recentLoss + 0.02 * loss;
        bar.setExtra(String.format(Locale.ROOT, "loss %.4f, lr %.5f", recentLoss, learningRate));
        bar.stepBy(images);
        remaining -= images;
        if (remaining == 0) {
            bar.close(); // before the test evaluation, so the bar's rate is the training rate
        }
    }

    @Override
    public void epochFinished(EpochRecord record, double epochSeconds) {
        out.printf(Locale.ROOT, "epoch %3d  train loss %.4f  test accuracy %6.2f%%  %.1f s  (%.0f img/s, lr %.5f)%n",
                record.epoch(), record.trainLoss(), record.testAccuracy() * 100, epochSeconds,
                record.imagesPerSecond(), record.lr());
    }

    @Override
    public void exportStarted(Path model) {
        out.printf("exporting %s and checking it against DJL on %d test images%n", model, ModelExport.PARITY_IMAGES);
    }

    @Override
    public void exported(ExportResult result) {
        out.printf(Locale.ROOT, "parity ok: max |log-prob difference| %.2e over %d images, version %s%n",
                result.maxLogProbDifference(), result.parityImages(), result.version());
    }

    @Override
    public void referenceStarted(Path file, int images) {
        out.printf(Locale.ROOT, "measuring the exported model on the %,d held-out images%n", images);
    }

    @Override
    public void referenceWritten(Path file, ReferenceFile reference) {
        Calibration c = reference.calibration();
        out.printf(Locale.ROOT, "reference %s: accuracy %.2f%%, temperature %.3f, ATC threshold %.4f%n", file,
                c.referenceAccuracy() * 100, c.temperature(), c.atcThreshold());
    }
}

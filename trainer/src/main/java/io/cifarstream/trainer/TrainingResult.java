package io.cifarstream.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a finished run produced.
 *
 * @param model        the exported ONNX model (checked against DJL)
 * @param testAccuracy test accuracy of the exported weights, 0..1
 * @param history      one record per epoch (also in {@code history.json})
 * @param export       the export's version hash and parity figures
 * @param reference    the model's reference file, made on the held-out validation images (none without a holdout)
 * @param outDir       the folder holding everything the run wrote
 */
public record TrainingResult(Path model, double testAccuracy, List<EpochRecord> history, ExportResult export,
                             Optional<Path> reference, Path outDir) {

    public TrainingResult {
        history = List.copyOf(history);
    }

    public Path historyFile() {
        return outDir.resolve(Trainer.HISTORY_FILE);
    }

    public Path lossPlot() {
        return outDir.resolve(Trainer.LOSS_PLOT);
    }

    public Path accuracyPlot() {
        return outDir.resolve(Trainer.ACCURACY_PLOT);
    }

    public Path checkpoints() {
        return outDir.resolve(Trainer.CHECKPOINTS);
    }
}

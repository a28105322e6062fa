package io.cifarstream.trainer;

import java.nio.file.Path;

/** Callbacks of a training run, on the training thread, in this order; every method does nothing by default. */
public interface TrainingListener {

    /** Before the first epoch (of this process: after a resume, {@code nextEpoch} > 1). */
    default void started(Recipe recipe, long seed, ParameterTable parameters, int trainImages, Path outDir,
                         int nextEpoch) {
    }

    default void epochStarted(int epoch, int epochs, int images) {
    }

    default void batchFinished(int images, float loss, double learningRate) {
    }

    /** After the epoch's test evaluation and checkpoint. */
    default void epochFinished(EpochRecord record, double epochSeconds) {
    }

    default void exportStarted(Path model) {
    }

    default void exported(ExportResult result) {
    }

    /** A listener that ignores everything. */
    static TrainingListener silent() {
        return new TrainingListener() {
        };
    }
}

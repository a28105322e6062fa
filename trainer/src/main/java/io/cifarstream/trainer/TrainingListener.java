package io.cifarstream.trainer;

import java.nio.file.Path;

import io.cifarstream.inference.ReferenceFile;

/** Callbacks of a training run, on the training thread, in this order; every method does nothing by default. */
public interface TrainingListener {

    /**
     * Before the first epoch (of this process: after a resume, {@code nextEpoch} > 1); {@code heldOut} training
     * images are kept out of training for the reference statistics.
     */
    default void started(Recipe recipe, long seed, Precision precision, ParameterTable parameters, int trainImages,
                         int heldOut, Path outDir, int nextEpoch) {
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

    /** Before the exported model is measured on the {@code images} held-out images. */
    default void referenceStarted(Path file, int images) {
    }

    default void referenceWritten(Path file, ReferenceFile reference) {
    }

    /** A listener that ignores everything. */
    static TrainingListener silent() {
        return new TrainingListener() {
        };
    }
}

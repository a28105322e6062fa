package io.cifarstream.trainer;

/**
 * One epoch of a run, as written to {@code history.json} (snake_case keys).
 *
 * @param epoch            1-based epoch number
 * @param elapsedSeconds   wall time since the run started (including the time before a resume)
 * @param trainLoss        mean training loss over the epoch's batches
 * @param testAccuracy     accuracy on the test split after the epoch, 0..1
 * @param imagesPerSecond  training images per second during the epoch (forward, backward, update, augmentation)
 * @param lr               the learning rate of the epoch's last step
 */
public record EpochRecord(int epoch, double elapsedSeconds, double trainLoss, double testAccuracy,
                          double imagesPerSecond, double lr) {
}

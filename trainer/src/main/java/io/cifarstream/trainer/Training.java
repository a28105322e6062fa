package io.cifarstream.trainer;

import java.io.IOException;
import java.nio.file.Path;

import io.cifarstream.dataset.Cifar10;

/**
 * The programmatic way to train: {@code Training.run(config, dataLocation, listener)} trains the CNN on CIFAR-10
 * found at {@code dataLocation} (a tar.gz or its unpacked folder) and returns the exported model and its accuracy.
 */
public final class Training {
    private Training() {
    }

    public static TrainingResult run(TrainingConfig config, Path dataLocation, TrainingListener listener)
            throws IOException {
        Cifar10 data = Cifar10.open(dataLocation);
        return new Trainer(config, data.train(), data.test(), listener).run();
    }
}

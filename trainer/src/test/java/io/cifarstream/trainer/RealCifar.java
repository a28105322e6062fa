package io.cifarstream.trainer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.Cifar10Locator;

/** The real CIFAR-10 named by $CIFAR10_DATA, read once per test JVM; tests needing it are skipped without it. */
final class RealCifar {
    private RealCifar() {
    }

    static Cifar10 data() {
        String value = System.getenv(Cifar10Locator.ENV);
        assumeTrue(value != null && Files.exists(Path.of(value)), Cifar10Locator.ENV + " not set: real-data test skipped");
        return Loaded.DATA;
    }

    private static final class Loaded {
        static final Cifar10 DATA = open();

        private static Cifar10 open() {
            try {
                Cifar10 data = Cifar10.open(Path.of(System.getenv(Cifar10Locator.ENV)));
                data.train();
                data.test();
                return data;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

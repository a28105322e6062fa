package io.cifarstream.trainer;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.testkit.CifarTestData;

/**
 * The real CIFAR-10, found the way the command line finds it (see {@link CifarTestData}), read once per test JVM:
 * the trainer's tests read both splits many times.
 */
final class RealCifar {
    private RealCifar() {
    }

    static Cifar10 data() {
        return Loaded.DATA;
    }

    private static final class Loaded {
        static final Cifar10 DATA = open();

        private static Cifar10 open() {
            Cifar10 data = CifarTestData.cifar10();
            data.train();
            data.test();
            return data;
        }
    }
}

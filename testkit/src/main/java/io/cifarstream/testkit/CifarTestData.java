package io.cifarstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.Cifar10Locator;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.DownloadListener;

/**
 * CIFAR-10 for tests, found exactly the way the command line finds it: {@code $CIFAR10_DATA}, else the cache, else
 * the official download. Offline with neither, the test fails with the locator's message (how to point at a copy).
 */
public final class CifarTestData {

    private CifarTestData() {
    }

    public static Cifar10 cifar10() {
        try {
            Path location = new Cifar10Locator().locate(Optional.empty(), new DownloadListener() {
                @Override
                public void started(URI from, long totalBytes) {
                    System.err.println("tests: downloading CIFAR-10 from " + from + " (" + totalBytes + " bytes)");
                }

                @Override
                public void progressed(long bytesSoFar) {
                    // the download prints its start and end; tests need no bar
                }

                @Override
                public void finished(Path to) {
                    System.err.println("tests: CIFAR-10 saved to " + to);
                }
            });
            return Cifar10.open(location);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 10,000-image test split. */
    public static CifarImages testSplit() {
        return cifar10().test();
    }
}

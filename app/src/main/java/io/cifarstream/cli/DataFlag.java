package io.cifarstream.cli;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.Cifar10Locator;
import io.cifarstream.dataset.DownloadListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import io.cifarstream.console.ProgressBar;
import picocli.CommandLine.Option;

/**
 * The {@code --data} flag of every command that reads CIFAR-10, and how it is resolved: the given path, else
 * {@code $CIFAR10_DATA}, else the cache, else the official download with a progress bar (see {@link Cifar10Locator}).
 */
public final class DataFlag {
    @PathRule(PathRule.Kind.EXISTING)
    @Option(names = "--data", paramLabel = "PATH",
            description = "CIFAR-10: the official cifar-10-binary.tar.gz or its unpacked folder. Default: "
                    + "$" + Cifar10Locator.ENV + ", else the cache (~/.cache/cifar-stream), else download it.")
    Path data;

    /** Finds (downloading if need be) and opens CIFAR-10; unusable data fails with the dataset's own error inside. */
    public Cifar10 open() {
        try {
            return Cifar10.open(locate());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Finds CIFAR-10 (downloading it if need be): a tar.gz or a folder. */
    public Path locate() {
        try {
            return new Cifar10Locator().locate(Optional.ofNullable(data), new DownloadBar());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Renders a download as a progress bar. */
    private static final class DownloadBar implements DownloadListener {
        private ProgressBar bar;
        private long reported;

        @Override
        public void started(URI from, long totalBytes) {
            System.err.println("Downloading CIFAR-10 from " + from);
            bar = ProgressBar.start("download", Math.max(totalBytes, 1), "B");
        }

        @Override
        public void progressed(long bytesSoFar) {
            bar.stepBy(bytesSoFar - reported);
            reported = bytesSoFar;
        }

        @Override
        public void finished(Path to) {
            if (bar != null) {
                bar.close();
            }
            System.err.println("CIFAR-10 saved to " + to);
        }
    }
}

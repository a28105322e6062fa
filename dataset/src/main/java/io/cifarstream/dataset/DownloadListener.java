package io.cifarstream.dataset;

import java.net.URI;
import java.nio.file.Path;

/** Progress of the CIFAR-10 download, for a progress bar; called on the thread that asked for the download. */
public interface DownloadListener {
    /** The server answered; {@code totalBytes} is -1 when it did not say. */
    void started(URI from, long totalBytes);

    /** Called a few times a second while bytes arrive, and once at the end with the total. */
    void progressed(long bytesSoFar);

    /** The verified file is in place at {@code to}. */
    void finished(Path to);

    /** A listener that ignores everything. */
    static DownloadListener none() {
        return new DownloadListener() {
            @Override
            public void started(URI from, long totalBytes) {
            }

            @Override
            public void progressed(long bytesSoFar) {
            }

            @Override
            public void finished(Path to) {
            }
        };
    }
}

package io.cifarstream.dataset;

import io.cifarstream.console.UserFixable;
import io.cifarstream.console.Setting;
import java.io.IOException;

/**
 * CIFAR-10 could not be found or fetched: a given path that does not exist, no network for the download, a server
 * error, a download whose checksum is wrong. The message says where the data was looked for and how to point the
 * program at a local copy.
 */
public final class DataUnavailableException extends IOException implements UserFixable {
    private static final long serialVersionUID = 1L;

    public DataUnavailableException(String message) {
        super(message);
    }

    public DataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public Setting setting() {
        return Setting.DATA;
    }
}

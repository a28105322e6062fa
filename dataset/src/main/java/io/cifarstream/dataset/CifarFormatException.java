package io.cifarstream.dataset;

import io.cifarstream.console.UserFixable;
import io.cifarstream.console.Setting;
import java.io.IOException;

/**
 * CIFAR-10 files that are present but unusable: a member missing, a size that is not 10,000 records, a truncated
 * or corrupt archive, a label above 9, a bad batches.meta.txt. The message names the file, what is wrong and how to
 * get an intact copy.
 */
public final class CifarFormatException extends IOException implements UserFixable {
    private static final long serialVersionUID = 1L;

    /** How to fix any of these problems; appended to every message. */
    static final String FIX = "Download it again from " + Cifar10Locator.OFFICIAL_URL
            + " or point the data location (or " + Cifar10Locator.ENV + ") at an intact copy.";

    public CifarFormatException(String message) {
        super(message);
    }

    public CifarFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public Setting setting() {
        return Setting.DATA;
    }

    /** A message naming {@code where}, what is wrong, and {@link #FIX}. */
    static CifarFormatException of(String where, String problem) {
        return new CifarFormatException(where + ": " + problem + ". " + FIX);
    }

    static CifarFormatException of(String where, String problem, Throwable cause) {
        return new CifarFormatException(where + ": " + problem + ". " + FIX, cause);
    }
}

package io.cifarstream.inference;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;

/**
 * A reference file that is missing, unreadable, made for another model version, or not a reference file of the
 * layout this code reads; {@link Setting#REFERENCE} is what to change.
 */
public final class ReferenceFileException extends UserError {

    private static final long serialVersionUID = 1L;
    /** How a missing, stale or broken reference file is fixed. */
    static final String FIX = "make one by calibrating the model (`cifar-stream calibrate`)";

    private final String reason;

    ReferenceFileException(String reason, Throwable cause) {
        super(Setting.REFERENCE, reason + ": " + FIX, cause);
        this.reason = reason;
    }

    /** What is wrong, without the fix. */
    public String reason() {
        return reason;
    }
}

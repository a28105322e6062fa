package io.cifarstream.onnx;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;

/** A file that is not an ONNX model, or not one this project can edit; the message names the file and the fix. */
public final class OnnxFormatException extends UserError {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(Setting.MODEL, message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(Setting.MODEL, message, cause);
    }
}

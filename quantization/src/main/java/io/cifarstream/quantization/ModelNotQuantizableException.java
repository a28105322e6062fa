package io.cifarstream.quantization;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;

/** A model this quantizer cannot make int8: the message says what it lacks and what to give instead. */
public final class ModelNotQuantizableException extends UserError {
    private static final long serialVersionUID = 1L;

    public ModelNotQuantizableException(String message) {
        super(Setting.MODEL, message);
    }
}

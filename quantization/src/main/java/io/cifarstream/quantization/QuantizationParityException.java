package io.cifarstream.quantization;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;

/** The int8 model decides too differently from its fp32 model; nothing was written. */
public final class QuantizationParityException extends UserError {
    private static final long serialVersionUID = 1L;

    public QuantizationParityException(String message) {
        super(Setting.QUANTIZATION, message);
    }
}

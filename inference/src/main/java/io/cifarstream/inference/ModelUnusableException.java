package io.cifarstream.inference;

import java.util.Objects;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;

/**
 * A model that cannot run as asked: no file, not ONNX, shapes or types that are not a CIFAR-10 classifier's, or a
 * device ONNX Runtime cannot use. The message names the file or device and the fix; {@link #setting()} says whether
 * the model ({@link Setting#MODEL}) or the device ({@link Setting#DEVICE}) is to change.
 */
public final class ModelUnusableException extends RuntimeException implements UserFixable {

    private static final long serialVersionUID = 1L;

    private final Setting setting;

    ModelUnusableException(Setting setting, String message, Throwable cause) {
        super(message, cause);
        this.setting = Objects.requireNonNull(setting, "setting");
    }

    @Override
    public Setting setting() {
        return setting;
    }
}

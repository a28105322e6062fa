package io.cifarstream.console;

import java.util.Objects;

/**
 * A {@link UserFixable} failure without a type of its own: its message names the cause and the fix, its setting what
 * to change. Libraries with a family of such failures give them their own type instead (a missing broker, unusable
 * data, a model that cannot run).
 */
public class UserError extends RuntimeException implements UserFixable {
    private static final long serialVersionUID = 1L;

    private final Setting setting;

    public UserError(Setting setting, String message) {
        this(setting, message, null);
    }

    public UserError(Setting setting, String message, Throwable cause) {
        super(message, cause);
        this.setting = Objects.requireNonNull(setting, "setting");
    }

    @Override
    public Setting setting() {
        return setting;
    }
}

package io.cifarstream.console;

/**
 * A failure the user can fix: its message is one line that names the cause and the fix.
 * The command line prints the message alone (no stack trace unless {@code --verbose}) and exits non-zero.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}

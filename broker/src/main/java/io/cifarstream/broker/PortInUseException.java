package io.cifarstream.broker;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;

/**
 * A port the broker was asked to listen on is taken by another process. The message is one line that names the
 * port, which of the broker's ports it is, and the fix.
 */
public final class PortInUseException extends IllegalStateException implements UserFixable {

    private static final long serialVersionUID = 1L;

    private final int port;

    PortInUseException(int port, String which) {
        super(which + " " + port + " is already in use (another Kafka broker?): stop that process or choose a free port"
                + " (0 picks any free port)");
        this.port = port;
    }

    /** The port that was taken. */
    public int port() {
        return port;
    }

    @Override
    public Setting setting() {
        return Setting.BROKER_PORT;
    }
}

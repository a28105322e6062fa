package io.cifarstream.broker;

/**
 * A port the broker was asked to listen on is taken by another process. The message is one line that
 * names the port and the command-line option that chooses another one.
 */
public final class PortInUseException extends IllegalStateException {

    private final int port;

    PortInUseException(int port, String option) {
        super("port " + port + " is already in use (another Kafka broker?): stop that process or choose a free port with "
                + option + " (0 picks any free port)");
        this.port = port;
    }

    /** The port that was taken. */
    public int port() {
        return port;
    }
}

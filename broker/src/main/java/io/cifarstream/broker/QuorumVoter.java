package io.cifarstream.broker;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One voter of a KRaft controller quorum as Kafka's {@code controller.quorum.voters} writes it: {@code ID@HOST:PORT},
 * the node id and where its controller listener is reached.
 */
public record QuorumVoter(int nodeId, String host, int port) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})@([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]):(\\d{1,5})");

    public QuorumVoter {
        Objects.requireNonNull(host, "host");
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id must not be negative, got " + nodeId);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("voter host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("voter port " + port + " is outside 1..65535");
        }
    }

    /** {@code ID@HOST:PORT}, e.g. {@code 2@kafka-2.example:9093}. */
    public static QuorumVoter parse(String text) {
        Matcher matcher = FORM.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a controller quorum voter ID@HOST:PORT");
        }
        return new QuorumVoter(Integer.parseInt(matcher.group(1)), matcher.group(2), Integer.parseInt(matcher.group(3)));
    }

    @Override
    public String toString() {
        return nodeId + "@" + host + ":" + port;
    }
}

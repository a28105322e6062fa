package io.cifarstream.broker;

import java.util.Locale;
import java.util.Objects;

/**
 * A client listener of the embedded broker besides the default {@code PLAINTEXT} one, for example a
 * {@code SASL_PLAINTEXT} listener; its mechanism settings go in the broker's extra properties.
 *
 * @param name             listener name, upper case, e.g. {@code SASL_PLAINTEXT}
 * @param securityProtocol one of Kafka's security protocols: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
 * @param port             the port on localhost, 0 for any free one
 */
public record ListenerSpec(String name, String securityProtocol, int port) {

    public ListenerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(securityProtocol, "securityProtocol");
        name = name.toUpperCase(Locale.ROOT);
        securityProtocol = securityProtocol.toUpperCase(Locale.ROOT);
        if (name.equals(EmbeddedKafkaBroker.PLAINTEXT_LISTENER) || name.equals(EmbeddedKafkaBroker.CONTROLLER_LISTENER)) {
            throw new IllegalArgumentException("listener name " + name + " is taken by the broker itself: choose another name");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("listener port " + port + " is outside 0..65535");
        }
    }
}

package io.cifarstream.kafka;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;
import org.apache.kafka.common.errors.AuthenticationException;

import java.util.Optional;

/**
 * The broker refused the client's credentials (a wrong SASL password, an unknown user, a mechanism the listener does
 * not enable, a failed TLS handshake). The message is one line: the broker's reason and where the credentials are
 * set. It never holds the credentials themselves: Kafka's reasons do not quote them.
 */
public final class KafkaAuthenticationException extends IllegalStateException implements UserFixable {

    private static final long serialVersionUID = 1L;

    private KafkaAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A Kafka {@link AuthenticationException} anywhere in {@code failure}'s cause chain (Kafka's clients raise it
     * from any call once the broker refused them, often wrapped) as this type, or empty when there is none.
     */
    public static Optional<KafkaAuthenticationException> in(Throwable failure) {
        return find(failure, "the Kafka broker");
    }

    /** As {@link #in(Throwable)}, naming the broker at {@code bootstrapServers}. */
    static Optional<KafkaAuthenticationException> in(Throwable failure, String bootstrapServers) {
        return find(failure, "Kafka broker at " + bootstrapServers);
    }

    private static Optional<KafkaAuthenticationException> find(Throwable failure, String broker) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KafkaAuthenticationException ours) {
                return Optional.of(ours);
            }
            if (t instanceof AuthenticationException refused) {
                return Optional.of(new KafkaAuthenticationException(broker + " " + reasonAndFix(refused), refused));
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    @Override
    public Setting setting() {
        return Setting.KAFKA_CONFIG;
    }

    private static String reasonAndFix(AuthenticationException cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage().strip();
        return "refused this client's credentials (authentication failed: " + reason.lines().findFirst().orElse(reason)
                + "): check the user name and password in sasl.jaas.config and sasl.mechanism in the Kafka client properties";
    }
}

package io.cifarstream.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * The access rule of this project's HTTP servers: either open (no token configured) or a shared secret that
 * every request must present as {@code Authorization: Bearer <token>}. {@link #guard} wraps a JDK
 * {@link HttpHandler}: a request without the header, or with another token, gets {@code 401} with
 * {@code WWW-Authenticate: Bearer} and a JSON body naming the fix; the handler never runs for it.
 *
 * <p>The comparison is constant-time ({@link MessageDigest#isEqual} over SHA-256 digests, so neither the
 * content nor the length of the token leaks through timing). The secret is never logged: {@link #toString()}
 * says only whether one is required. Where it comes from: {@link #resolve} (flag, else the environment
 * variable {@value #ENV}).
 */
public final class BearerToken {

    /** The environment variable that holds the token; preferred over {@code --http-token}, whose value shows in {@code ps}. */
    public static final String ENV = "CIFAR_STREAM_HTTP_TOKEN";

    private static final String SCHEME = "Bearer ";
    private static final byte[] UNAUTHORIZED_BODY = ("{\"error\":\"missing or wrong bearer token: send the header"
            + " 'Authorization: Bearer <token>' with the token the server was started with (" + ENV + " or its flag)\"}\n").getBytes(StandardCharsets.UTF_8);
    private static final BearerToken OPEN = new BearerToken(null, null);

    private final String secret;
    private final byte[] secretDigest;

    private BearerToken(String secret, byte[] secretDigest) {
        this.secret = secret;
        this.secretDigest = secretDigest;
    }

    /** No token: every request is admitted. */
    public static BearerToken open() {
        return OPEN;
    }

    /**
     * A required token.
     *
     * @throws UserError for a blank token or one with characters a header cannot carry (whitespace, control
     *                   characters, non-ASCII)
     */
    public static BearerToken of(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new UserError(Setting.HTTP_TOKEN, "the HTTP token is empty: set " + ENV + " to a random string, e.g."
                    + " $(openssl rand -hex 32), or unset it to serve without a token");
        }
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new UserError(Setting.HTTP_TOKEN, "the HTTP token may hold printable ASCII only (no spaces or control characters),"
                        + " as an HTTP header carries it: e.g. $(openssl rand -hex 32)");
            }
        }
        return new BearerToken(secret, sha256(secret));
    }

    /**
     * The token of a command: the flag's value if given, else {@value #ENV} from {@code environment}, else open.
     * An empty {@value #ENV} counts as unset.
     */
    public static BearerToken resolve(String flag, Map<String, String> environment) {
        if (flag != null) {
            return of(flag);
        }
        String fromEnvironment = environment.get(ENV);
        return fromEnvironment == null || fromEnvironment.isEmpty() ? open() : of(fromEnvironment);
    }

    /** Whether requests must carry the token. */
    public boolean required() {
        return secret != null;
    }

    /** Whether a request with this {@code Authorization} header value (null when absent) may pass. */
    public boolean admits(String authorization) {
        if (secret == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        return MessageDigest.isEqual(secretDigest, sha256(authorization.substring(SCHEME.length()).strip()));
    }

    /** {@code handler} behind this rule: 401 for a request that {@link #admits} refuses. */
    public HttpHandler guard(HttpHandler handler) {
        if (secret == null) {
            return handler;
        }
        return exchange -> {
            if (admits(exchange.getRequestHeaders().getFirst("Authorization"))) {
                handler.handle(exchange);
            } else {
                refuse(exchange);
            }
        };
    }

    /** Adds the {@code Authorization} header to an outgoing request when a token is required (calls between instances). */
    public HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return secret == null ? request : request.header("Authorization", SCHEME + secret);
    }

    /** The credential to send, e.g. for a client that is no {@link HttpRequest}; empty when open. */
    public Optional<String> authorizationHeader() {
        return secret == null ? Optional.empty() : Optional.of(SCHEME + secret);
    }

    private static void refuse(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"cifar-stream\"");
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(401, head ? -1 : UNAUTHORIZED_BODY.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(UNAUTHORIZED_BODY);
                }
            }
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return secret == null ? "BearerToken[open]" : "BearerToken[required]";
    }
}

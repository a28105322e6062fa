package io.cifarstream.console;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokenTest {

    private static final String SECRET = "s3cr3t-0123456789abcdef";

    @Test
    void openAdmitsEveryRequest() {
        BearerToken open = BearerToken.open();
        assertThat(open.required()).isFalse();
        assertThat(open.admits(null)).isTrue();
        assertThat(open.admits("Bearer anything")).isTrue();
        assertThat(open.authorizationHeader()).isEmpty();
    }

    @Test
    void aRequiredTokenAdmitsOnlyItsOwnBearerHeader() {
        BearerToken token = BearerToken.of(SECRET);
        assertThat(token.required()).isTrue();
        assertThat(token.admits("Bearer " + SECRET)).isTrue();
        assertThat(token.admits("bearer " + SECRET)).as("the scheme is case-insensitive (RFC 6750)").isTrue();
        assertThat(token.admits(null)).isFalse();
        assertThat(token.admits("")).isFalse();
        assertThat(token.admits(SECRET)).as("no scheme").isFalse();
        assertThat(token.admits("Basic " + SECRET)).isFalse();
        assertThat(token.admits("Bearer " + SECRET + "x")).isFalse();
        assertThat(token.admits("Bearer " + SECRET.substring(1))).isFalse();
        assertThat(token.admits("Bearer " + SECRET.toUpperCase())).as("the token is case-sensitive").isFalse();
    }

    @Test
    void theFlagWinsOverTheEnvironmentAndAnEmptyVariableMeansNoToken() {
        assertThat(BearerToken.resolve(null, Map.of()).required()).isFalse();
        assertThat(BearerToken.resolve(null, Map.of(BearerToken.ENV, "")).required()).isFalse();
        assertThat(BearerToken.resolve(null, Map.of(BearerToken.ENV, SECRET)).admits("Bearer " + SECRET)).isTrue();
        BearerToken flag = BearerToken.resolve("from-flag", Map.of(BearerToken.ENV, SECRET));
        assertThat(flag.admits("Bearer from-flag")).isTrue();
        assertThat(flag.admits("Bearer " + SECRET)).isFalse();
    }

    @Test
    void refusesTokensAHeaderCannotCarryAndNeverPrintsTheSecret() {
        assertThatThrownBy(() -> BearerToken.of(" ")).isInstanceOf(UserError.class).hasMessageContaining(BearerToken.ENV);
        assertThatThrownBy(() -> BearerToken.of("two words")).isInstanceOf(UserError.class).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> BearerToken.of("caf\u00e9")).isInstanceOf(UserError.class);
        assertThat(BearerToken.of(SECRET).toString()).doesNotContain(SECRET).isEqualTo("BearerToken[required]");
        assertThat(BearerToken.of(SECRET).authorizationHeader()).contains("Bearer " + SECRET);
    }

    @Test
    void aGuardedHandlerAnswers401WithTheChallengeUntilTheTokenComes() throws IOException, InterruptedException {
        BearerToken token = BearerToken.of(SECRET);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", token.guard(exchange -> {
            byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }));
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> none = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.body()).contains("\"error\"").contains(BearerToken.ENV).doesNotContain(SECRET);

            HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer nope").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);

            HttpResponse<String> right = client.send(token.authorize(HttpRequest.newBuilder(uri)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).isEqualTo("hello\n");
        } finally {
            server.stop(0);
        }
    }
}

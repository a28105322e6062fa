package io.cifarstream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.cifarstream.console.BearerToken;

/** Who may read the scorer's {@code /metrics}: anyone without a token, only its holders with one. */
class MetricsEndpointTest {

    private static final String TEXT = "cifarstream_scorer_images_scored_total 42\n";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void withoutATokenEveryoneMayScrape() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), BearerToken.open(),
                () -> TEXT)) {
            HttpResponse<String> response = get(endpoint, "/metrics", null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(TEXT);
            assertThat(endpoint.host()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void withATokenOnlyItsHoldersMayScrape() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
                BearerToken.of("scrape-secret"), () -> TEXT)) {
            HttpResponse<String> none = get(endpoint, "/metrics", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.body()).doesNotContain(TEXT.strip()).contains(BearerToken.ENV);
            assertThat(get(endpoint, "/metrics", "Bearer wrong").statusCode()).isEqualTo(401);

            HttpResponse<String> holder = get(endpoint, "/metrics", "Bearer scrape-secret");
            assertThat(holder.statusCode()).isEqualTo(200);
            assertThat(holder.body()).isEqualTo(TEXT);
            assertThat(get(endpoint, "/other", "Bearer scrape-secret").statusCode()).isEqualTo(404);
        }
    }

    private static HttpResponse<String> get(MetricsEndpoint endpoint, String path, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.console.BearerToken;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static io.cifarstream.metricsstream.TopologyHarness.confident;
import static io.cifarstream.metricsstream.TopologyHarness.prediction;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may read the metrics HTTP API: everyone when no token is configured; with one, only requests carrying it,
 * except the dashboard's static files (code, no data), which a browser must load before it can send the token.
 * The reports are the real topology's, from a {@link org.apache.kafka.streams.TopologyTestDriver}.
 */
class MetricsApiAccessTest {

    private static final String SECRET = "api-secret-4f2a";
    private static final List<String> DATA_PAGES = List.of("/api/models", "/api/models/m1?view=last", "/api/status", "/metrics");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path stateDir;

    private TopologyHarness harness;
    private MetricsHttpServer server;

    @BeforeEach
    void countTwoModels() {
        harness = new TopologyHarness(TopologyHarness.config(Duration.ofMinutes(1), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 100), stateDir);
        for (int i = 0; i < 20; i++) {
            harness.send(prediction("m1", "img-" + i, confident(i % 10, 0.8), i % 10, T0.plusSeconds(i)));
            harness.send(prediction("m2", "img-" + i, confident(i % 7, 0.6), i % 10, T0.plusSeconds(i)));
        }
        harness.tick();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        harness.close();
    }

    @Test
    void withoutATokenEveryPageIsOpen() throws Exception {
        serve(BearerToken.open());
        for (String page : DATA_PAGES) {
            assertThat(get(page, null).statusCode()).as(page).isEqualTo(200);
        }
        assertThat(get("/api/models", null).body()).isEqualTo("[\"m1\",\"m2\"]");
        assertThat(ViewReport.fromJson(get("/api/models/m2", null).body()).report().count()).isEqualTo(20);
    }

    @Test
    void withATokenTheDataNeedsItAndTheDashboardFilesDoNot() throws Exception {
        serve(BearerToken.of(SECRET));
        for (String page : DATA_PAGES) {
            HttpResponse<String> none = get(page, null);
            assertThat(none.statusCode()).as(page + " without a token").isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.body()).contains("\"error\"").doesNotContain(SECRET).doesNotContain("m1");
            assertThat(get(page, "Bearer " + SECRET + "-but-not-quite").statusCode()).as(page + " with a wrong token").isEqualTo(401);
            assertThat(get(page, "Bearer " + SECRET).statusCode()).as(page + " with the token").isEqualTo(200);
        }
        assertThat(get("/api/models", "Bearer " + SECRET).body()).isEqualTo("[\"m1\",\"m2\"]");
        assertThat(get("/", null).statusCode()).isEqualTo(200);
        assertThat(get("/app.js", null).body()).contains("#token=");
    }

    /** A streams application that is not running yet has no queryable store: the status says so, with a 200. */
    @Test
    void theStatusAnswersWhileTheReportsAreUnavailable() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "status-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("not-started").toString());
        try (KafkaStreams notStarted = new KafkaStreams(MetricsTopology.build(harness.config, new StreamCounters()), props)) {
            ReportSource reports = new StreamsReportSource(notStarted);
            server = new MetricsHttpServer(MetricsHttpServer.bind("127.0.0.1", 0), reports, reports, harness.counters,
                    BearerToken.open());
            HttpResponse<String> status = get("/api/status", null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(BrokerFixture.json().readTree(status.body()).get("reports").asText())
                    .contains("not queryable now (application state CREATED)");
            assertThat(BrokerFixture.json().readTree(status.body()).get("models").isEmpty()).isTrue();
            assertThat(get("/api/models", null).statusCode()).as("the API itself still says 503").isEqualTo(503);
        }
    }

    private void serve(BearerToken token) throws IOException {
        ReportSource reports = harness.reports();
        server = new MetricsHttpServer(MetricsHttpServer.bind("127.0.0.1", 0), reports, reports, harness.counters, token);
    }

    private HttpResponse<String> get(String page, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.address() + page));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

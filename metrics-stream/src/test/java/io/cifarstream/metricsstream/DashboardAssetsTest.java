package io.cifarstream.metricsstream;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's files are served with their types, nothing outside the folder is, and the page loads nothing from elsewhere. */
class DashboardAssetsTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;
    private URI base;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new DashboardAssets());
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void servesThePageItsScriptAndItsStyleWithTheirContentTypes() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(page.body()).contains("<script src=\"app.js\"></script>", "href=\"style.css\"");

        assertThat(get("/index.html").body()).isEqualTo(page.body());
        assertThat(get("/app.js").headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(get("/style.css").headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
    }

    @Test
    void thePageReferencesNoOtherServer() throws Exception {
        // The only absolute URL anywhere is the SVG namespace, a name that is never fetched.
        Pattern absolute = Pattern.compile("[a-z]+://[^\"'\\s)]*");
        for (String file : List.of("/", "/app.js", "/style.css")) {
            Matcher matcher = absolute.matcher(get(file).body());
            while (matcher.find()) {
                assertThat(matcher.group()).as("absolute URL in %s", file).isEqualTo("http://www.w3.org/2000/svg");
            }
        }
    }

    @Test
    void servesNothingOutsideTheDashboardFolder() throws Exception {
        for (String path : List.of("/../pom.xml", "/%2e%2e/pom.xml", "/..%2fpom.xml", "/dashboard/app.js",
                "/io/cifarstream/metricsstream/DashboardAssets.class", "/DashboardAssets.class",
                "/simplelogger.properties", "/missing.js", "/app.js/", "/.js")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).contains("the dashboard is at /");
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.cifarstream.metricsstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless {@code chromium}, driven by its {@code chromedriver} over the W3C WebDriver HTTP protocol
 * (plain {@code java.net.http}, no Selenium): one browser session with a fresh profile, browser console logging on.
 * {@link #close} ends the session and the driver process.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C key of an element reference in JSON. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One entry of the browser's console log: level SEVERE for errors, uncaught exceptions and failed loads. */
    record LogEntry(String level, String source, String message) {
    }

    private final Process driver;
    /** {@code http://127.0.0.1:PORT/session/ID}, the prefix of every command of this session. */
    private final String session;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Whether both Debian packages are installed ({@code apt-get install chromium chromium-driver}). */
    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Starts chromedriver on a free port and opens a session of a {@code width x height} headless window. */
    HeadlessChromium(Path profileDir, Path driverLog, int width, int height) throws IOException, InterruptedException {
        int port = freePort();
        driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(driverLog.toFile()).start();
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            awaitReady(base);
            ObjectNode chrome = JSON.createObjectNode();
            chrome.put("binary", CHROMIUM.toString());
            ArrayNode args = chrome.putArray("args");
            for (String arg : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=" + width + "," + height,
                    "--user-data-dir=" + profileDir)) {
                args.add(arg);
            }
            ObjectNode capabilities = JSON.createObjectNode();
            ObjectNode always = capabilities.putObject("capabilities").putObject("alwaysMatch");
            always.put("browserName", "chrome");
            always.set("goog:chromeOptions", chrome);
            always.putObject("goog:loggingPrefs").put("browser", "ALL");
            JsonNode created = send("POST", base.resolve("/session"), capabilities);
            session = base + "/session/" + created.get("sessionId").asText();
        } catch (IOException | InterruptedException | RuntimeException e) {
            driver.destroy();
            throw e;
        }
    }

    void open(URI page) throws IOException, InterruptedException {
        send("POST", command("/url"), JSON.createObjectNode().put("url", page.toString()));
    }

    /** Runs {@code script} (a function body; {@code return} gives the result) in the page. */
    JsonNode execute(String script) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return send("POST", command("/execute/sync"), body);
    }

    /** Clicks the first element matching {@code cssSelector} like a user (scrolls to it, fails if covered). */
    void click(String cssSelector) throws IOException, InterruptedException {
        JsonNode element = send("POST", command("/element"),
                JSON.createObjectNode().put("using", "css selector").put("value", cssSelector));
        send("POST", command("/element/" + element.get(ELEMENT).asText() + "/click"), JSON.createObjectNode());
    }

    /** Saves the viewport as PNG. */
    void screenshot(Path png) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(send("GET", command("/screenshot"), null).asText()));
    }

    /** The console entries since the last call (chromedriver's log endpoint drains them). */
    List<LogEntry> browserLog() throws IOException, InterruptedException {
        JsonNode entries = send("POST", command("/se/log"), JSON.createObjectNode().put("type", "browser"));
        List<LogEntry> log = new ArrayList<>();
        entries.forEach(entry -> log.add(new LogEntry(entry.path("level").asText(), entry.path("source").asText(),
                entry.path("message").asText())));
        return log;
    }

    private URI command(String path) {
        return URI.create(session + path);
    }

    private JsonNode send(String method, URI uri, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json; charset=utf-8");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IOException("chromedriver " + method + " " + uri + " answered " + response.statusCode() + ": "
                    + answer.path("value").path("message").asText(response.body()));
        }
        return answer.get("value");
    }

    private void awaitReady(URI base) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(base.resolve("/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200 && JSON.readTree(status.body()).path("value").path("ready").asBoolean()) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keeps trying until the deadline below
            }
            if (System.nanoTime() > deadline || !driver.isAlive()) {
                throw new IOException(CHROMEDRIVER + " did not become ready within 30 s"
                        + (driver.isAlive() ? "" : " (it exited with " + driver.exitValue() + ")") + "; see its log");
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            send("DELETE", command(""), null);
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
    }
}

package io.cifarstream.metricsstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Serves the dashboard's static files from the classpath folder {@code dashboard/}: {@code GET /} is
 * {@code index.html}, {@code GET /app.js} is {@code dashboard/app.js}, and so on. Only plain file names directly
 * inside that folder, with an extension of a known content type, are served; any other path (one with
 * {@code /}, {@code ..}, {@code %} or an unknown extension) is 404, so no request can reach outside the folder.
 * Responses say {@code Cache-Control: no-cache}, so an upgraded dashboard shows at the next reload.
 */
public final class DashboardAssets implements HttpHandler {

    /** The classpath folder holding the files. */
    public static final String FOLDER = "dashboard/";

    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-]+\\.[a-z0-9]+");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final ClassLoader classLoader;

    /** Files come from this class's class loader. */
    public DashboardAssets() {
        this.classLoader = DashboardAssets.class.getClassLoader();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        // The raw path: a percent-encoded "../" stays encoded here and fails the name check.
        String path = exchange.getRequestURI().getRawPath();
        String name = path.equals("/") ? "index.html" : path.substring(1);
        String type = FILE_NAME.matcher(name).matches()
                ? CONTENT_TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT)) : null;
        byte[] body = type == null ? null : read(name);
        if (body == null) {
            respond(exchange, 404, "text/plain; charset=utf-8",
                    ("no dashboard file at " + path + ": the dashboard is at /, the API under /api/\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        respond(exchange, 200, type, body);
    }

    private byte[] read(String name) throws IOException {
        try (InputStream in = classLoader.getResourceAsStream(FOLDER + name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}

package io.cifarstream.metricsstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.cifarstream.console.BearerToken;
import io.cifarstream.metrics.MonitoringFields;
import io.cifarstream.schemas.MetricsView;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The metrics HTTP API (JDK {@code com.sun.net.httpserver}), read-only, JSON and Prometheus text:
 * <ul>
 *   <li>{@code GET /api/models}: JSON array of the model ids of the whole application (every instance);</li>
 *   <li>{@code GET /api/models/{id}?view=cumulative|window|last} (default cumulative): the view's
 *       {@link ViewReport} JSON (the {@code evaluate --json} fields plus {@code model_id}, {@code view},
 *       {@code window_start}, {@code window_end}, {@code emitted_time}), from whichever instance owns the model;
 *       404 for an unknown model, 400 for an unknown view, 503 while the application is (re)starting or
 *       rebalancing, or the owning instance does not answer and no standby replica holds the model; a report a standby
 *       replica served because the owner does not answer carries {@code served_by};</li>
 *   <li>both with {@code local=true}: this instance's reports only (what instances ask each other); with
 *       {@code standby=true} as well, its standby replicas' too;</li>
 *   <li>{@code GET /api/status}: JSON {@code {"time": epoch ms, "counters": {name: count}, "dead_letters":
 *       {kind: count}, "models": {id: {"count": cumulative count, "views": [views with a report], "estimate_count":
 *       cumulative predictions estimated (null without a reference), "reference_version": the reference's model
 *       version (null: none), "alerts": [the alert rules of every view, as the reports have them], "served_by": only
 *       when a standby replica serves it}}, "reports": "available"}}, this instance's {@link StreamCounters} (names as
 *       in {@code /metrics}) and every model the
 *       dashboard may ask for; always 200: while the application restores or rebalances, {@code models} is empty
 *       and {@code reports} says why;</li>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4, per (model, view) gauges of the models this instance
 *       owns (the labelled metrics; with a reference, the estimates, calibration metrics and, per check, the drift
 *       statistic, p-value, bound and whether it is over), {@code cifar_alert_firing} per (model, rule), and its
 *       {@link StreamCounters} (scrape every instance: no series is exported twice);</li>
 *   <li>{@code GET /}: the live dashboard ({@link DashboardAssets}).</li>
 * </ul>
 * More pages can be added with {@link #handle}. Every page but the dashboard's static files (code, no data)
 * is behind the {@link BearerToken}: without a configured token all is open. Binds where it is told; the
 * commands default to {@code 127.0.0.1}.
 */
public final class MetricsHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/models";
    private static final List<String> GAUGES = List.of("count", "accuracy", "f1_micro", "f1_macro", "f1_weighted",
            "auc_macro", "log_loss");
    /** Gauges of models with a reference (absent without one, NaN where undefined). */
    private static final List<String> MONITORING_GAUGES = List.of(MonitoringReport.ESTIMATE_COUNT,
            MonitoringFields.ESTIMATED_ACCURACY, MonitoringFields.ESTIMATED_ACCURACY_AC,
            MonitoringFields.ESTIMATED_ACCURACY_ATC, MonitoringFields.ESTIMATED_F1_MACRO, MonitoringReport.ACCURACY_GAP,
            MonitoringFields.ECE, MonitoringFields.BRIER, MonitoringFields.TEMPERATURE);
    /** Per drift check: the gauge's name suffix and the field of the check it exports. */
    private static final Map<String, String> DRIFT_GAUGES = Map.of("drift_statistic", MonitoringFields.STATISTIC,
            "drift_p_value", MonitoringFields.P_VALUE, "drift_bound", MonitoringFields.BOUND, "drift_over",
            MonitoringFields.OVER);

    private final HttpServer server;
    private final ExecutorService executor;
    private final ReportSource reports;
    private final ReportSource instanceReports;
    private final StreamCounters counters;
    private final BearerToken token;

    /**
     * Starts serving on an already bound server (so that its port can be known first, e.g. to advertise it).
     *
     * @param reports         the application's reports (every instance's), for the API and the dashboard
     * @param instanceReports this instance's reports, for {@code local=true} and {@code /metrics}
     */
    public MetricsHttpServer(HttpServer bound, ReportSource reports, ReportSource instanceReports, StreamCounters counters,
            BearerToken token) {
        this.reports = reports;
        this.instanceReports = instanceReports;
        this.counters = counters;
        this.token = token;
        this.server = bound;
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        handle(API, this::api);
        handle("/api/status", this::status);
        handle("/metrics", this::prometheus);
        serve("/", new DashboardAssets());
        server.start();
    }

    /** A server bound to {@code host:port} (port 0: any free one), not yet serving. */
    public static HttpServer bind(String host, int port) throws IOException {
        return HttpServer.create(new InetSocketAddress(host, port), 0);
    }

    /** Serves {@code path} (and everything below it) with {@code handler}, behind the bearer token. */
    public void handle(String path, HttpHandler handler) {
        serve(path, token.guard(handler));
    }

    private void serve(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    send(exchange, 405, "text/plain", "only GET is served here\n");
                    return;
                }
                try {
                    handler.handle(exchange);
                } catch (ReportSource.ReportsUnavailableException e) {
                    send(exchange, 503, "application/json", error(e.getMessage()));
                } catch (RuntimeException e) {
                    LOG.warn("GET {} failed", exchange.getRequestURI(), e);
                    send(exchange, 500, "application/json", error(e.toString()));
                }
            }
        });
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:8080}. */
    public URI address() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    private void api(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> query = query(exchange.getRequestURI());
        boolean local = "true".equals(query.get("local"));
        ReportSource source = !local ? reports
                : "true".equals(query.get("standby")) ? instanceReports.withStandbys() : instanceReports;
        if (path.equals(API) || path.equals(API + "/")) {
            send(exchange, 200, "application/json", JSON.writeValueAsString(source.models()));
            return;
        }
        String model = URLDecoder.decode(path.substring(API.length() + 1), StandardCharsets.UTF_8);
        String viewName = query.getOrDefault("view", "cumulative");
        MetricsView view;
        try {
            view = ViewReport.parseApiName(viewName);
        } catch (IllegalArgumentException e) {
            send(exchange, 400, "application/json", error(e.getMessage()));
            return;
        }
        Optional<String> report = source.report(model, view);
        if (report.isEmpty()) {
            send(exchange, 404, "application/json", error("no " + viewName + " metrics for model '" + model
                    + "' (yet): GET " + API + " lists the models with metrics"));
            return;
        }
        send(exchange, 200, "application/json", report.get());
    }

    private void status(HttpExchange exchange) throws IOException {
        ObjectNode status = JSON.createObjectNode();
        status.put("time", System.currentTimeMillis());
        ObjectNode events = status.putObject("counters");
        for (StreamCounters.Event event : StreamCounters.Event.values()) {
            events.put(event.metricName(), counters.count(event));
        }
        ObjectNode deadLetters = status.putObject("dead_letters");
        counters.deadLetters().forEach(deadLetters::put);
        ObjectNode models = status.putObject("models");
        // The status always answers (the counters are this process's): while the stream restores or rebalances,
        // "reports" says why the models are missing instead of the whole page failing with 503.
        try {
            for (String model : reports.models()) {
                ObjectNode entry = models.putObject(model);
                entry.put("count", 0);
                ArrayNode views = entry.putArray("views");
                ArrayNode alerts = JSON.createArrayNode();
                for (MetricsView view : MetricsView.values()) {
                    Optional<String> report = reports.report(model, view);
                    if (report.isPresent()) {
                        views.add(ViewReport.apiName(view));
                        JsonNode node = JSON.readTree(report.get());
                        if (view == MetricsView.CUMULATIVE) {
                            entry.put("count", node.get("count").asLong());
                            entry.set(MonitoringReport.ESTIMATE_COUNT, node.get(MonitoringReport.ESTIMATE_COUNT));
                            JsonNode version = node.path(MonitoringReport.REFERENCE).path("model_version");
                            entry.set("reference_version", version.isMissingNode() ? null : version);
                            if (node.has(ViewReport.SERVED_BY)) {
                                entry.put(ViewReport.SERVED_BY, node.get(ViewReport.SERVED_BY).asText());
                            }
                        }
                        node.path(ViewReport.ALERTS).forEach(alerts::add);
                    }
                }
                entry.set(ViewReport.ALERTS, alerts);
            }
            status.put("reports", "available");
        } catch (ReportSource.ReportsUnavailableException e) {
            models.removeAll();
            status.put("reports", e.getMessage());
        }
        send(exchange, 200, "application/json", JSON.writeValueAsString(status));
    }

    private void prometheus(HttpExchange exchange) throws IOException {
        StringBuilder text = new StringBuilder();
        Map<String, List<String>> byGauge = new java.util.TreeMap<>();
        List<String> alertLines = new java.util.ArrayList<>();
        for (String model : instanceReports.models()) {
            for (MetricsView view : MetricsView.values()) {
                Optional<String> json = instanceReports.report(model, view);
                if (json.isEmpty()) {
                    continue;
                }
                JsonNode node = JSON.readTree(json.get());
                String labels = "model=\"" + escape(model) + "\",view=\"" + ViewReport.apiName(view) + "\"";
                List<String> gauges = new java.util.ArrayList<>(GAUGES);
                if (!node.path(MonitoringReport.REFERENCE).isNull()) {
                    gauges.addAll(MONITORING_GAUGES);
                }
                for (String gauge : gauges) {
                    gauge(byGauge, gauge, labels, node.get(gauge));
                }
                node.path(MonitoringFields.DRIFT).fields().forEachRemaining(check -> DRIFT_GAUGES.forEach((gauge, field) -> {
                    JsonNode value = check.getValue().get(field);
                    if (!(field.equals(MonitoringFields.P_VALUE) && value.isNull())) { // a distance has no p-value
                        gauge(byGauge, gauge, labels + ",check=\"" + escape(check.getKey()) + "\"", value);
                    }
                }));
                for (JsonNode alert : node.path(ViewReport.ALERTS)) {
                    alertLines.add("cifar_alert_firing{model=\"" + escape(model) + "\",rule=\""
                            + escape(alert.get("rule").asText()) + "\",view=\"" + ViewReport.apiName(view)
                            + "\",metric=\"" + escape(alert.get("metric").asText()) + "\"} "
                            + (AlertStatus.FIRING.equals(alert.get("state").asText()) ? 1 : 0));
                }
            }
        }
        byGauge.forEach((gauge, lines) -> {
            text.append("# HELP cifar_model_").append(gauge).append(" ").append(gauge)
                    .append(" of the model's predictions in the view (see the metrics API)\n");
            text.append("# TYPE cifar_model_").append(gauge).append(" gauge\n");
            lines.forEach(line -> text.append(line).append('\n'));
        });
        text.append("# HELP cifar_alert_firing 1 while the alert rule fires for the model, else 0 (rules: metrics --alert)\n");
        text.append("# TYPE cifar_alert_firing gauge\n");
        alertLines.forEach(line -> text.append(line).append('\n'));
        for (StreamCounters.Event event : StreamCounters.Event.values()) {
            String name = "cifar_stream_" + event.metricName();
            text.append("# HELP ").append(name).append(' ').append(event.help()).append('\n');
            text.append("# TYPE ").append(name).append(" counter\n");
            text.append(name).append(' ').append(counters.count(event)).append('\n');
        }
        text.append("# HELP cifar_stream_dead_letters_total Records sent to the dead-letters topic, by error kind.\n");
        text.append("# TYPE cifar_stream_dead_letters_total counter\n");
        counters.deadLetters().forEach((kind, count) -> text.append("cifar_stream_dead_letters_total{kind=\"")
                .append(escape(kind)).append("\"} ").append(count).append('\n'));
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", text.toString());
    }

    /** One sample of gauge {@code cifar_model_<gauge>}: JSON null (undefined) is NaN, a boolean 0 or 1. */
    private static void gauge(Map<String, List<String>> byGauge, String gauge, String labels, JsonNode value) {
        String number = value == null || value.isNull() ? "NaN" : value.isBoolean() ? (value.asBoolean() ? "1" : "0")
                : value.asText();
        byGauge.computeIfAbsent(gauge, g -> new java.util.ArrayList<>()).add("cifar_model_" + gauge + "{" + labels + "} "
                + number);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new java.util.HashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static String error(String message) {
        try {
            return JSON.writeValueAsString(Map.of("error", message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

package io.cifarstream.metricsstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One view of one model at one moment: the {@link ClassificationReport} plus what it covers. Its JSON is the
 * report's (the field names of {@code evaluate --json}) with {@code model_id}, {@code view}
 * ({@code cumulative}, {@code window} or {@code last}), {@code window_start} / {@code window_end} (epoch ms,
 * null outside the window view) and {@code emitted_time} added; {@link #toSnapshot()} gives the metrics
 * topic's Avro value.
 */
public record ViewReport(String modelId, MetricsView view, Long windowStart, Long windowEnd, long emittedTime,
        ClassificationReport report) {

    public static final String MODEL_ID = "model_id";
    public static final String VIEW = "view";
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    public static final String EMITTED_TIME = "emitted_time";
    /**
     * Present only on a report served from a standby replica because the instance that owns the model does not answer:
     * which replica served it and why. Such a report may lag the live one by the standby's replication delay.
     */
    public static final String SERVED_BY = "served_by";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ViewReport {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(report, "report");
    }

    /** The API's name of a view: cumulative, window, last. */
    public static String apiName(MetricsView view) {
        return view == MetricsView.LAST_N ? "last" : view.name().toLowerCase(Locale.ROOT);
    }

    /** The view an API name denotes. @throws IllegalArgumentException for another name */
    public static MetricsView parseApiName(String name) {
        for (MetricsView view : MetricsView.values()) {
            if (apiName(view).equals(name)) {
                return view;
            }
        }
        throw new IllegalArgumentException("unknown view '" + name + "': use cumulative, window or last");
    }

    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put(MODEL_ID, modelId);
        node.put(VIEW, apiName(view));
        node.put(WINDOW_START, windowStart);
        node.put(WINDOW_END, windowEnd);
        node.put(EMITTED_TIME, emittedTime);
        node.setAll((ObjectNode) JSON.valueToTree(report));
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ViewReport fromJson(String json) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(json);
            String modelId = node.remove(MODEL_ID).asText();
            MetricsView view = parseApiName(node.remove(VIEW).asText());
            Long start = longOrNull(node.remove(WINDOW_START));
            Long end = longOrNull(node.remove(WINDOW_END));
            long emitted = node.remove(EMITTED_TIME).asLong();
            node.remove(SERVED_BY);
            return new ViewReport(modelId, view, start, end, emitted, JSON.treeToValue(node, ClassificationReport.class));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code json} (a report) with {@value #SERVED_BY} set to {@code note}. */
    static String servedBy(String json, String note) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(json);
            node.put(SERVED_BY, note);
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Long longOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asLong();
    }

    /** The metrics topic's value. */
    public MetricsSnapshot toSnapshot() {
        List<Long> confusion = new ArrayList<>(100);
        long[][] counts = report.confusion().counts();
        for (long[] row : counts) {
            for (long count : row) {
                confusion.add(count);
            }
        }
        return MetricsSnapshot.newBuilder()
                .setModelId(modelId)
                .setView(view)
                .setWindowStart(windowStart == null ? null : Instant.ofEpochMilli(windowStart))
                .setWindowEnd(windowEnd == null ? null : Instant.ofEpochMilli(windowEnd))
                .setCount(report.count())
                .setConfusion(confusion)
                .setAccuracy(report.accuracy())
                .setF1Micro(report.f1Micro())
                .setF1Macro(report.f1Macro())
                .setF1Weighted(report.f1Weighted())
                .setPrecision(report.precision())
                .setRecall(report.recall())
                .setF1(report.f1())
                .setAuc(report.auc())
                .setAucMacro(report.aucMacro())
                .setLogLoss(report.logLoss())
                .setEmittedTime(Instant.ofEpochMilli(emittedTime))
                .build();
    }
}

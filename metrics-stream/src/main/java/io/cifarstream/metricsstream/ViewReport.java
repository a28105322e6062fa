package io.cifarstream.metricsstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cifarstream.metrics.CalibrationError;
import io.cifarstream.metrics.ClassificationReport;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.schemas.DriftCheck;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.ReliabilityBin;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One view of one model at one moment: the {@link ClassificationReport} of its labelled records plus what it
 * covers, what the predictions say without labels ({@link MonitoringReport}), and the view's alert rules. Its JSON
 * is the report's (the field names of {@code evaluate --json}) with {@code model_id}, {@code view}
 * ({@code cumulative}, {@code window} or {@code last}), {@code window_start} / {@code window_end} (epoch ms, the
 * labelled records' window; null outside the window view or before any labelled record), {@code emitted_time},
 * the monitoring fields and {@code alerts} added; {@link #toSnapshot()} gives the metrics topic's Avro value.
 */
public record ViewReport(String modelId, MetricsView view, Long windowStart, Long windowEnd, long emittedTime,
        ClassificationReport report, MonitoringReport monitoring, List<AlertStatus> alerts) {

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
    public static final String ALERTS = "alerts";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ViewReport {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(monitoring, "monitoring");
        alerts = List.copyOf(alerts);
    }

    /** This report with the states of its view's alert rules. */
    ViewReport withAlerts(List<AlertStatus> statuses) {
        return new ViewReport(modelId, view, windowStart, windowEnd, emittedTime, report, monitoring, statuses);
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
        monitoring.writeInto(node, report.accuracy());
        node.set(ALERTS, JSON.valueToTree(alerts));
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
            JsonNode alerts = node.remove(ALERTS);
            MonitoringReport monitoring = MonitoringReport.readFrom(node);
            return new ViewReport(modelId, view, start, end, emitted, JSON.treeToValue(node, ClassificationReport.class),
                    monitoring, alerts == null ? List.of() : JSON.convertValue(alerts, new TypeReference<List<AlertStatus>>() { }));
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

    static Long longOrNull(JsonNode node) {
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
        MetricsSnapshot.Builder snapshot = MetricsSnapshot.newBuilder()
                .setModelId(modelId)
                .setView(view)
                .setWindowStart(instant(windowStart))
                .setWindowEnd(instant(windowEnd))
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
                .setReferenceMissing(monitoring.referenceMissing());
        MonitoringReport.Reference reference = monitoring.reference();
        if (reference != null) {
            snapshot.setReferenceVersion(reference.modelVersion()).setTemperature(reference.temperature());
        }
        ConfidenceEstimate estimates = monitoring.estimates();
        if (estimates != null) {
            snapshot.setEstimateCount(estimates.count())
                    .setEstimateWindowStart(instant(monitoring.estimateWindowStart()))
                    .setEstimateWindowEnd(instant(monitoring.estimateWindowEnd()))
                    .setEstimatedAccuracy(estimates.estimatedAccuracy())
                    .setEstimatedAccuracyAc(estimates.estimatedAccuracyAc())
                    .setEstimatedAccuracyAtc(estimates.estimatedAccuracyAtc())
                    .setEstimatedF1Macro(estimates.estimatedF1Macro())
                    .setEstimatedConfusion(estimates.estimatedConfusion().stream().flatMap(List::stream).toList())
                    .setAccuracyGap(monitoring.accuracyGap(report.accuracy()));
        }
        if (monitoring.drift() != null) {
            Map<String, DriftCheck> checks = new LinkedHashMap<>();
            monitoring.drift().checks().forEach(check -> checks.put(check.name(),
                    new DriftCheck(check.statistic(), check.pValue(), check.bound(), check.over())));
            snapshot.setDrift(checks);
        }
        CalibrationError calibration = monitoring.calibration();
        if (calibration != null) {
            snapshot.setCalibrationCount(calibration.count()).setEce(calibration.ece()).setBrier(calibration.brier())
                    .setReliability(calibration.reliability().stream().map(bin -> new ReliabilityBin(bin.lower(),
                            bin.upper(), bin.count(), bin.meanConfidence(), bin.accuracy())).toList());
        }
        return snapshot.build();
    }

    private static Instant instant(Long epochMs) {
        return epochMs == null ? null : Instant.ofEpochMilli(epochMs);
    }
}

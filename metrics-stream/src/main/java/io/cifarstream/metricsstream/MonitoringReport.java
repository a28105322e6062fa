package io.cifarstream.metricsstream;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.CalibrationError;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.Drift;
import io.cifarstream.metrics.MonitoringFields;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * What a view says beyond the labelled metrics: the model's reference (or why there is none), the label-free
 * estimates and drift checks of every prediction in the label-free view (its own event-time window in the window
 * view: see {@link ModelViews}), and the calibration metrics of the labelled records the reference covers. A part
 * is null where it does not exist: no reference, no estimates, drift or calibration metrics.
 *
 * <p>JSON, inside the {@link ViewReport}'s object: the figures people and Prometheus read at the top level
 * ({@code temperature}, {@code estimate_count}, {@code estimated_accuracy}, {@code estimated_accuracy_ac}, {@code estimated_accuracy_atc},
 * {@code estimated_f1_macro}, {@code accuracy_gap} = estimated accuracy - accuracy, {@code ece}, {@code brier},
 * {@code drift}: an object per check), then the whole of each part: {@code reference}, {@code reference_missing},
 * {@code estimates} ({@link ConfidenceEstimate}, its count the predictions in view), {@code estimate_window_start},
 * {@code estimate_window_end}, {@code calibration} ({@link CalibrationError}). NaN is written as null.
 */
public record MonitoringReport(Reference reference, String referenceMissing, Long estimateWindowStart,
        Long estimateWindowEnd, ConfidenceEstimate estimates, Drift drift, CalibrationError calibration) {

    public static final String REFERENCE = "reference";
    public static final String REFERENCE_MISSING = "reference_missing";
    public static final String ESTIMATES = "estimates";
    public static final String ESTIMATE_WINDOW_START = "estimate_window_start";
    public static final String ESTIMATE_WINDOW_END = "estimate_window_end";
    public static final String CALIBRATION = "calibration";
    public static final String ACCURACY_GAP = "accuracy_gap";
    /** Predictions in the label-free view (the count of {@code estimates}). */
    public static final String ESTIMATE_COUNT = "estimate_count";
    /** The top-level copies of figures inside the parts. */
    private static final List<String> FLAT = List.of(MonitoringFields.TEMPERATURE, ESTIMATE_COUNT,
            MonitoringFields.ESTIMATED_ACCURACY,
            MonitoringFields.ESTIMATED_ACCURACY_AC, MonitoringFields.ESTIMATED_ACCURACY_ATC,
            MonitoringFields.ESTIMATED_F1_MACRO, ACCURACY_GAP, MonitoringFields.ECE, MonitoringFields.BRIER,
            MonitoringFields.DRIFT);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The reference a model's views are compared with, as the API shows it. */
    @JsonPropertyOrder({"model_version", "source", "published_time", MonitoringFields.TEMPERATURE,
            MonitoringFields.ATC_THRESHOLD, MonitoringFields.REFERENCE_COUNT, MonitoringFields.REFERENCE_ACCURACY})
    public record Reference(
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("source") String source,
            @JsonProperty("published_time") long publishedTime,
            @JsonProperty(MonitoringFields.TEMPERATURE) double temperature,
            @JsonProperty(MonitoringFields.ATC_THRESHOLD) double atcThreshold,
            @JsonProperty(MonitoringFields.REFERENCE_COUNT) long referenceCount,
            @JsonProperty(MonitoringFields.REFERENCE_ACCURACY) double referenceAccuracy) {

        static Reference of(ReferenceUpdate update) {
            Calibration calibration = update.calibration();
            return new Reference(update.modelVersion(), update.source(), update.publishedTime(),
                    calibration.temperature(), calibration.atcThreshold(), calibration.referenceCount(),
                    calibration.referenceAccuracy());
        }
    }

    /** A view of a model without a reference: nothing but the reason. */
    public static MonitoringReport missing(String reason) {
        return new MonitoringReport(null, reason, null, null, null, null, null);
    }

    /** Estimated minus realized accuracy; NaN when either is undefined or there are no estimates. */
    public double accuracyGap(double accuracy) {
        return estimates == null ? Double.NaN : estimates.estimatedAccuracy() - accuracy;
    }

    /** The number {@code name} at the top level (see the class doc); NaN when absent or undefined. */
    double figure(String name, double accuracy) {
        return switch (name) {
            case MonitoringFields.TEMPERATURE -> reference == null ? Double.NaN : reference.temperature();
            case ESTIMATE_COUNT -> estimates == null ? Double.NaN : estimates.count();
            case MonitoringFields.ESTIMATED_ACCURACY -> estimates == null ? Double.NaN : estimates.estimatedAccuracy();
            case MonitoringFields.ESTIMATED_ACCURACY_AC -> estimates == null ? Double.NaN : estimates.estimatedAccuracyAc();
            case MonitoringFields.ESTIMATED_ACCURACY_ATC -> estimates == null ? Double.NaN : estimates.estimatedAccuracyAtc();
            case MonitoringFields.ESTIMATED_F1_MACRO -> estimates == null ? Double.NaN : estimates.estimatedF1Macro();
            case ACCURACY_GAP -> accuracyGap(accuracy);
            case MonitoringFields.ECE -> calibration == null ? Double.NaN : calibration.ece();
            case MonitoringFields.BRIER -> calibration == null ? Double.NaN : calibration.brier();
            default -> throw new IllegalArgumentException("no monitoring figure named " + name);
        };
    }

    /** Writes the fields into a view report's JSON object; {@code accuracy} is the view's realized accuracy. */
    void writeInto(ObjectNode node, double accuracy) {
        for (String name : FLAT.subList(0, FLAT.size() - 1)) {
            double value = figure(name, accuracy);
            if (Double.isNaN(value)) {
                node.putNull(name);
            } else if (name.equals(ESTIMATE_COUNT)) {
                node.put(name, (long) value);
            } else {
                node.put(name, value);
            }
        }
        node.set(MonitoringFields.DRIFT, JSON.valueToTree(drift));
        node.set(REFERENCE, JSON.valueToTree(reference));
        node.put(REFERENCE_MISSING, referenceMissing);
        node.set(ESTIMATES, JSON.valueToTree(estimates));
        node.put(ESTIMATE_WINDOW_START, estimateWindowStart);
        node.put(ESTIMATE_WINDOW_END, estimateWindowEnd);
        node.set(CALIBRATION, JSON.valueToTree(calibration));
    }

    /** Reads what {@link #writeInto} wrote and removes it from {@code node}. */
    static MonitoringReport readFrom(ObjectNode node) {
        try {
            Drift drift = value(node.remove(MonitoringFields.DRIFT), Drift.class);
            FLAT.forEach(node::remove);
            return new MonitoringReport(
                    value(node.remove(REFERENCE), Reference.class),
                    text(node.remove(REFERENCE_MISSING)),
                    ViewReport.longOrNull(node.remove(ESTIMATE_WINDOW_START)),
                    ViewReport.longOrNull(node.remove(ESTIMATE_WINDOW_END)),
                    value(node.remove(ESTIMATES), ConfidenceEstimate.class),
                    drift,
                    value(node.remove(CALIBRATION), CalibrationError.class));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T value(JsonNode node, Class<T> type) throws JsonProcessingException {
        return node == null || node.isNull() ? null : JSON.treeToValue(node, type);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}

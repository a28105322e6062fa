package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.List;

/**
 * How well a model's calibrated probabilities match the labels of a view, an immutable value (JSON names in
 * {@link MonitoringFields}). For labelled record i: {@code p_i = softmax(l_i / T)} with the
 * {@link Calibration}'s temperature, confidence {@code c_i = max_k p_ik}, prediction the arg-max, and
 * {@code y_ik = 1} for the true class, else 0.
 *
 * <ul>
 *   <li>{@code count}; {@code accuracy}; {@code mean_confidence}: the mean of {@code c_i};</li>
 *   <li>{@code reliability}: the 15 bins {@code (i/15, (i+1)/15]} of {@link HistogramBins#CONFIDENCE} (edges
 *       are the doubles nearest i/15; a confidence is at least 1/classes, so never 0), each with its count,
 *       mean confidence and accuracy;</li>
 *   <li>{@code ece}: expected calibration error, {@code sum_b (n_b / n) |accuracy_b - mean confidence_b|}
 *       over those bins (Guo et al. 2017; sklearn has none);</li>
 *   <li>{@code brier_per_class}: per class k, {@code mean_i (p_ik - y_ik)^2}, i.e.
 *       {@code sklearn.metrics.brier_score_loss(y == k, p_k)};</li>
 *   <li>{@code brier}: the multi-class Brier score (Brier 1950), {@code mean_i sum_k (p_ik - y_ik)^2}, in
 *       [0, 2]: the sum of {@code brier_per_class};</li>
 *   <li>{@code brier_class_mean}: the mean of {@code brier_per_class}, = brier / classes.</li>
 * </ul>
 * Every value but the counts is NaN (JSON null) for an empty view.
 */
@JsonPropertyOrder({MonitoringFields.COUNT, MonitoringFields.ACCURACY, MonitoringFields.MEAN_CONFIDENCE,
        MonitoringFields.ECE, MonitoringFields.BRIER, MonitoringFields.BRIER_CLASS_MEAN,
        MonitoringFields.BRIER_PER_CLASS, MonitoringFields.RELIABILITY})
public record CalibrationError(
        @JsonProperty(MonitoringFields.COUNT) long count,
        @JsonProperty(MonitoringFields.ACCURACY)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double accuracy,
        @JsonProperty(MonitoringFields.MEAN_CONFIDENCE)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double meanConfidence,
        @JsonProperty(MonitoringFields.ECE)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double ece,
        @JsonProperty(MonitoringFields.BRIER)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double brier,
        @JsonProperty(MonitoringFields.BRIER_CLASS_MEAN)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double brierClassMean,
        @JsonProperty(MonitoringFields.BRIER_PER_CLASS)
        @JsonSerialize(contentUsing = NanAsNull.Writer.class) @JsonDeserialize(contentUsing = NanAsNull.Reader.class)
        List<Double> brierPerClass,
        @JsonProperty(MonitoringFields.RELIABILITY) List<ReliabilityBin> reliability) {

    public CalibrationError {
        brierPerClass = List.copyOf(brierPerClass);
        reliability = List.copyOf(reliability);
    }
}

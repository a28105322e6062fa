package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One bar of a reliability diagram: the labelled predictions whose calibrated confidence is in
 * {@code (lower, upper]} (see {@link HistogramBins}), how many, their mean confidence and their accuracy
 * (both NaN, JSON null, for an empty bin). A calibrated model has accuracy = mean confidence in every bin.
 */
@JsonPropertyOrder({MonitoringFields.BIN_LOWER, MonitoringFields.BIN_UPPER, MonitoringFields.BIN_COUNT,
        MonitoringFields.MEAN_CONFIDENCE, MonitoringFields.ACCURACY})
public record ReliabilityBin(
        @JsonProperty(MonitoringFields.BIN_LOWER) double lower,
        @JsonProperty(MonitoringFields.BIN_UPPER) double upper,
        @JsonProperty(MonitoringFields.BIN_COUNT) long count,
        @JsonProperty(MonitoringFields.MEAN_CONFIDENCE)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double meanConfidence,
        @JsonProperty(MonitoringFields.ACCURACY)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double accuracy) {
}

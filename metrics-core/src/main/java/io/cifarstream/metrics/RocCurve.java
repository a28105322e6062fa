package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.List;

/**
 * Points of one class's one-vs-rest ROC curve for plotting, in the order of
 * {@code sklearn.metrics.roc_curve}: from (0, 0) at the highest threshold to (1, 1), {@code fpr[i]} =
 * negatives scoring at or above threshold i over all negatives, {@code tpr[i]} the same for positives.
 *
 * <p>Every point lies exactly on the true ROC curve of the records in view (see {@link RocSketch#curve(int)}
 * for which points are kept). Empty when the view lacks positives or negatives for the class, where the
 * curve is undefined; {@code aucErrorBound} is then NaN (JSON null).
 */
@JsonPropertyOrder({ReportFields.ROC_FPR, ReportFields.ROC_TPR, ReportFields.ROC_AUC_ERROR_BOUND})
public record RocCurve(
        @JsonProperty(ReportFields.ROC_FPR) List<Double> fpr,
        @JsonProperty(ReportFields.ROC_TPR) List<Double> tpr,
        @JsonProperty(ReportFields.ROC_AUC_ERROR_BOUND)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double aucErrorBound) {

    public RocCurve {
        fpr = List.copyOf(fpr);
        tpr = List.copyOf(tpr);
        if (fpr.size() != tpr.size()) {
            throw new IllegalArgumentException("fpr and tpr must pair up: " + fpr.size() + " vs " + tpr.size());
        }
    }

    /** The curve of a class whose view lacks positives or negatives. */
    static RocCurve undefined() {
        return new RocCurve(List.of(), List.of(), Double.NaN);
    }

    public int size() {
        return fpr.size();
    }
}

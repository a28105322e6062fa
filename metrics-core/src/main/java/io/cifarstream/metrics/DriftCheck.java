package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One comparison of a view with the reference: a statistic, its p-value where the check is a test (NaN,
 * JSON null, otherwise), and the bound the statistic is over when the view has drifted. A statistic that
 * cannot be computed (an empty view, no image statistics on one side) is NaN and never over.
 *
 * @param name      what was compared, one of the names in {@link MonitoringFields}
 * @param statistic the statistic (a chi-square statistic, a Jensen-Shannon distance)
 * @param pValue    the test's p-value, NaN for a distance
 * @param bound     the statistic's bound: {@code over} is {@code statistic > bound}
 * @param over      whether the statistic is above the bound
 */
@JsonPropertyOrder({MonitoringFields.NAME, MonitoringFields.STATISTIC, MonitoringFields.P_VALUE,
        MonitoringFields.BOUND, MonitoringFields.OVER})
public record DriftCheck(
        @JsonProperty(MonitoringFields.NAME) String name,
        @JsonProperty(MonitoringFields.STATISTIC)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double statistic,
        @JsonProperty(MonitoringFields.P_VALUE)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double pValue,
        @JsonProperty(MonitoringFields.BOUND)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double bound,
        @JsonProperty(MonitoringFields.OVER) boolean over) {

    public DriftCheck {
        if (over != statistic > bound) {
            throw new IllegalArgumentException("check " + name + ": over must be statistic > bound ("
                    + statistic + " > " + bound + ")");
        }
    }

    /** A check whose {@code over} follows from its statistic and bound. */
    public static DriftCheck of(String name, double statistic, double pValue, double bound) {
        return new DriftCheck(name, statistic, pValue, bound, statistic > bound);
    }
}

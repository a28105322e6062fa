package io.cifarstream.metricsstream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One alert rule of a view as its report shows it: the rule, whether it fires, the figure at the last evaluation
 * (null: not evaluated since the start, or undefined) and when it last changed state (the model's stream time, epoch
 * ms; null: never).
 */
@JsonPropertyOrder({"rule", "condition", "metric", "view", "state", "value", "threshold", "changed_time"})
public record AlertStatus(
        @JsonProperty("rule") String rule,
        @JsonProperty("condition") String condition,
        @JsonProperty("metric") String metric,
        @JsonProperty("view") String view,
        @JsonProperty("state") String state,
        @JsonProperty("value") Double value,
        @JsonProperty("threshold") double threshold,
        @JsonProperty("changed_time") Long changedTime) {

    public static final String FIRING = "firing";
    public static final String OK = "ok";

    static AlertStatus of(AlertRule rule, AlertRuleState state, double value) {
        return new AlertStatus(rule.name(), rule.condition(), rule.metric(), ViewReport.apiName(rule.view()),
                state.firing() ? FIRING : OK, Double.isNaN(value) ? null : value, rule.threshold(),
                state.changedTime() == Long.MIN_VALUE ? null : state.changedTime());
    }

    @JsonIgnore
    public boolean firing() {
        return FIRING.equals(state);
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.schemas.MetricsView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rule syntax, and the hysteresis: fire after K evaluations that hold, resolve after K' that do not. */
class AlertRuleTest {

    @Test
    void aRuleReadsAsWritten() {
        AlertRule rule = AlertRule.parse("estimate-low: estimated_accuracy in last < 0.6 for 3 clear 5 min 1000");
        assertThat(rule).isEqualTo(new AlertRule("estimate-low", "estimated_accuracy", MetricsView.LAST_N,
                AlertRule.Comparison.BELOW, 0.6, 3, 5, 1000));
        assertThat(rule.condition()).isEqualTo("estimated_accuracy in last < 0.6");
        assertThat(AlertRule.parse(rule.toString())).isEqualTo(rule);
    }

    @Test
    void forClearAndMinHaveDefaults() {
        assertThat(AlertRule.parse("moved:drift.predicted_class_js in window>0.1 for 4")).isEqualTo(new AlertRule("moved",
                "drift.predicted_class_js", MetricsView.WINDOW, AlertRule.Comparison.ABOVE, 0.1, 4, 4, 0));
        assertThat(AlertRule.parse("ece-high: ece in cumulative > 0.05")).isEqualTo(new AlertRule("ece-high", "ece",
                MetricsView.CUMULATIVE, AlertRule.Comparison.ABOVE, 0.05, 1, 1, 0));
    }

    @Test
    void aFileHoldsOneRuleALineWithCommentsAndBlankLines() {
        List<AlertRule> rules = AlertRule.parseAll("""
                # label-free
                estimate-low: estimated_accuracy in last < 0.6 for 3

                drifted: drift.confidence_js in window > 0.1 for 2 clear 4
                """, "rules.txt");
        assertThat(rules).extracting(AlertRule::name).containsExactly("estimate-low", "drifted");
    }

    @Test
    void whatIsWrongIsNamed() {
        assertThatThrownBy(() -> AlertRule.parse("estimated_accuracy < 0.6")).hasMessageContaining("NAME: METRIC in VIEW");
        assertThatThrownBy(() -> AlertRule.parse("x: happiness in last < 1")).hasMessageContaining("'happiness'")
                .hasMessageContaining("estimated_accuracy");
        assertThatThrownBy(() -> AlertRule.parse("x: drift.mood_js in last > 1")).hasMessageContaining("confidence_js");
        assertThat(AlertRule.parse("drift: drift.max_js in last > 0.1 min 1000").metric()).isEqualTo("drift.max_js");
        assertThatThrownBy(() -> AlertRule.parse("x: accuracy in weekly < 1")).hasMessageContaining("unknown view 'weekly'");
        assertThatThrownBy(() -> AlertRule.parse("x: accuracy in last < 1 for 0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> AlertRule.parseAll("a: ece in last > 1\n\nb: brier in last > 2 pls", "f.txt"))
                .hasMessageStartingWith("f.txt line 3: ");
        assertThatThrownBy(() -> AlertRule.parseAll("a: ece in last > 1\na: brier in last > 1", "f.txt"))
                .hasMessageContaining("two alert rules are named a");
    }

    /**
     * for 3 clear 2 on "value < 0.6": fires on the third low value in a row (a high one in between starts the count
     * again), resolves on the second high one in a row; undefined values and views below the minimum count are no
     * evaluations.
     */
    @Test
    void itFiresAfterKHoldingEvaluationsAndResolvesAfterKClearOnes() {
        AlertRule rule = AlertRule.parse("low: estimated_accuracy in last < 0.6 for 3 clear 2 min 10");
        double[] values = {0.5, 0.5, 0.7, 0.5, 0.5, Double.NaN, 0.5, 0.5, 0.7, 0.5, 0.7, 0.7, 0.4};
        long[] basis = {10, 10, 10, 10, 10, 10, 9, 10, 10, 10, 10, 10, 10};
        List<Boolean> firing = new ArrayList<>();
        List<Long> changes = new ArrayList<>();
        AlertRuleState state = AlertRuleState.INITIAL;
        for (int i = 0; i < values.length; i++) {
            AlertRuleState next = state.evaluate(rule, values[i], basis[i], i);
            if (next.firing() != state.firing()) {
                changes.add(next.changedTime());
            }
            state = next;
            firing.add(state.firing());
        }
        //                         .5     .5     .7     .5     .5    NaN    .5(9)  .5     .7     .5    .7     .7     .4
        assertThat(firing).containsExactly(false, false, false, false, false, false, false, true, true, true, true,
                false, false);
        assertThat(changes).containsExactly(7L, 11L);
        assertThat(AlertRuleState.fromBytes(state.toBytes())).isEqualTo(state);
    }
}

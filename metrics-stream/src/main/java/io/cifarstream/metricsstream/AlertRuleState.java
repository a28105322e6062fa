package io.cifarstream.metricsstream;

import java.nio.ByteBuffer;

/**
 * Where one alert rule stands for one model: firing or not, how many evaluations in a row disagreed with that (the
 * hysteresis count towards the next change), and when it last changed (the model's stream time then; Long.MIN_VALUE:
 * never). An immutable value; the aggregation stores it, so a restart continues every count.
 */
record AlertRuleState(boolean firing, int streak, long changedTime) {

    static final AlertRuleState INITIAL = new AlertRuleState(false, 0, Long.MIN_VALUE);
    private static final int BYTES = 1 + 4 + 8;

    /**
     * The state after an evaluation of {@code rule} on {@code value} (skipped, the state unchanged, when the value
     * is NaN or the view holds fewer than the rule's minimum of records, {@code basis}).
     */
    AlertRuleState evaluate(AlertRule rule, double value, long basis, long time) {
        if (Double.isNaN(value) || basis < rule.minCount()) {
            return this;
        }
        if (rule.holds(value) == firing) {
            return streak == 0 ? this : new AlertRuleState(firing, 0, changedTime);
        }
        int disagreeing = streak + 1;
        if (disagreeing >= (firing ? rule.resolveAfter() : rule.fireAfter())) {
            return new AlertRuleState(!firing, 0, time);
        }
        return new AlertRuleState(firing, disagreeing, changedTime);
    }

    byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).put((byte) (firing ? 1 : 0)).putInt(streak).putLong(changedTime).array();
    }

    static AlertRuleState fromBytes(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalStateException("an alert state of " + bytes.length + " bytes, not " + BYTES
                    + ": the state was written by another version; reset the application");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        return new AlertRuleState(in.get() != 0, in.getInt(), in.getLong());
    }
}

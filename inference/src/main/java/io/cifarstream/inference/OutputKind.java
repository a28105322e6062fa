package io.cifarstream.inference;

import java.util.Locale;

/** What a classifier's [N,10] output holds; every kind is turned into natural-log probabilities. */
public enum OutputKind {
    /** Already log-probabilities (a log-softmax ends the graph): used as they are. */
    LOG_PROBS,
    /** Unnormalized scores: log-softmax is applied. */
    LOGITS,
    /** Probabilities (a softmax ends the graph): the natural log is taken. */
    PROBS;

    /** Parses the command-line spelling: {@code log-probs}, {@code logits}, {@code probs}. */
    public static OutputKind parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "log-probs" -> LOG_PROBS;
            case "logits" -> LOGITS;
            case "probs" -> PROBS;
            default -> throw new IllegalArgumentException(
                    "unknown output kind '" + text + "': use logits, log-probs or probs");
        };
    }

    /** The metadata spelling ({@code log_probs}, {@code logits}, {@code probs}), which {@link #parse} reads back. */
    public String metadataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Turns {@code classes} raw outputs at {@code offset} into log-probabilities, in place. */
    void toLogProbabilities(float[] values, int offset, int classes) {
        switch (this) {
            case LOG_PROBS -> { }
            case PROBS -> {
                for (int i = offset; i < offset + classes; i++) {
                    values[i] = (float) Math.log(values[i]);
                }
            }
            case LOGITS -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = offset; i < offset + classes; i++) {
                    max = Math.max(max, values[i]);
                }
                double sum = 0;
                for (int i = offset; i < offset + classes; i++) {
                    sum += Math.exp(values[i] - max);
                }
                double logSum = max + Math.log(sum);
                for (int i = offset; i < offset + classes; i++) {
                    values[i] = (float) (values[i] - logSum);
                }
            }
        }
    }
}

package io.cifarstream.scorer;

/**
 * The scorer's own reasons to reject a consumed record; they become the dead letter's {@code error_kind}.
 * Avro decoding failures keep the schemas module's kinds ({@code NOT_AVRO_SINGLE_OBJECT},
 * {@code UNKNOWN_SCHEMA}, {@code CORRUPT_RECORD}) and image decoding failures the dataset module's, so every
 * kind names one cause across the project.
 */
public enum DeadLetterKind {
    /** The value is null (a tombstone): there is no image to score. */
    TOMBSTONE,
    /** The value is longer than {@code --max-record-bytes}; it is not decoded at all. */
    OVERSIZED_RECORD,
    /** The record has no key; keys are image ids, and predictions are keyed and partitioned by them. */
    MISSING_KEY,
    /** The key differs from the event's {@code id}; which one names the image cannot be told. */
    KEY_MISMATCH,
    /** Raw pixels whose width or height is not 32, or whose byte count is not width x height x channels. */
    WRONG_SIZE,
    /** Raw pixels with a channel count other than 3. */
    WRONG_CHANNELS,
    /** A label outside 0-9. */
    BAD_LABEL,
    /** A model produced NaN log-probabilities for the image; that model's prediction is replaced by this letter. */
    NAN_LOG_PROB
}

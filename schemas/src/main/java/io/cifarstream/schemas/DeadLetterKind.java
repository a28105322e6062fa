package io.cifarstream.schemas;

/**
 * Why a record went to the dead-letters topic: the {@code error_kind} of a {@link DeadLetter}. One vocabulary for
 * every stage that dead-letters (its {@code stage} field says which one did), so a kind names one cause across the
 * project and dashboards can group by it. The names are stable: consumers of the topic match on them.
 */
public enum DeadLetterKind {
    // The record could not be decoded (any stage).
    /** Too short for, or not starting with, the Avro single-object header 0xC3 0x01 + 8-byte fingerprint. */
    NOT_AVRO_SINGLE_OBJECT,
    /** The header's schema fingerprint belongs to no writer schema the reader knows. */
    UNKNOWN_SCHEMA,
    /** Valid header, but the body is truncated, garbage, or longer than the record. */
    CORRUPT_RECORD,

    // The record's envelope (any stage).
    /** The value is null (a tombstone): there is nothing to process. */
    TOMBSTONE,
    /** The value is longer than the stage accepts; it is not decoded at all. */
    OVERSIZED_RECORD,
    /** The record has no key; keys are image ids, and every topic is keyed and partitioned by them. */
    MISSING_KEY,
    /** The key differs from the record's image id; which one names the image cannot be told. */
    KEY_MISMATCH,
    /** The record names no image. */
    MISSING_ID,
    /** A label whose image was never predicted within the wait for it. */
    UNKNOWN_IMAGE_ID,

    // Images (scorer).
    /** Raw pixels whose width or height is not 32, or whose byte count is not width x height x channels; or a
     *  prediction with other than ten log-probabilities. */
    WRONG_SIZE,
    /** Raw pixels with a channel count other than 3. */
    WRONG_CHANNELS,
    /** An encoded image larger than the decoder accepts. */
    TOO_LARGE,
    /** An encoded image whose header declares more pixels than the decoder accepts. */
    TOO_MANY_PIXELS,
    /** An encoded image that is neither PNG nor JPEG. */
    UNSUPPORTED_FORMAT,
    /** PNG or JPEG by its signature, but broken. */
    CORRUPT_IMAGE,

    // Labels and predictions.
    /** A label outside 0-9. */
    BAD_LABEL,
    /** A model produced NaN log-probabilities. */
    NAN_LOG_PROB,
    /** A log-probability of +infinity. */
    INFINITE_LOG_PROB,
    /** Log-probabilities whose probabilities do not sum to 1. */
    NOT_NORMALIZED,
    /** A prediction's image statistics (channel means and deviations) of the wrong shape or not finite. */
    BAD_IMAGE_STATISTICS,

    // References.
    /** A model reference whose statistics cannot be read, or do not describe a CIFAR-10 classifier. */
    BAD_REFERENCE
}

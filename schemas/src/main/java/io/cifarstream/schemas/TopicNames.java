package io.cifarstream.schemas;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of the project's topics, the one place they are defined. Keys of images, predictions and labels
 * are the image id as a UTF-8 string (see {@link ImageIds}); metrics, references and alerts are keyed by model id;
 * dead letters keep the rejected record's key bytes. Values are single-object Avro ({@link AvroSerde}).
 *
 * @param references each model's reference statistics ({@code ModelReference}), published by the scorer when it
 *                   loads a model; compacted, the latest per model id
 * @param alerts     alert rules firing and resolving ({@code Alert}), published by the metrics stream
 */
public record TopicNames(String images, String predictions, String labels, String metrics, String deadLetters,
        String references, String alerts) {

    /** Kafka's rule for topic names (legal characters, at most 249 of them). */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicNames {
        List<String> all = List.of(images, predictions, labels, metrics, deadLetters, references, alerts);
        for (String name : all) {
            if (!LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("'" + name + "' is not a legal Kafka topic name: use 1 to 249"
                        + " characters from a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'.");
            }
        }
        if (new HashSet<>(all).size() != all.size()) {
            throw new IllegalArgumentException("Topic names must differ, got " + all
                    + ": each topic carries one record type.");
        }
    }

    /** images, predictions, labels, metrics, dead-letters, references, alerts. */
    public static TopicNames defaults() {
        return new TopicNames("images", "predictions", "labels", "metrics", "dead-letters", "references", "alerts");
    }

    /** The same names with {@code prefix} in front, e.g. to keep one test's or one run's topics apart. */
    public TopicNames withPrefix(String prefix) {
        return new TopicNames(prefix + images, prefix + predictions, prefix + labels, prefix + metrics,
                prefix + deadLetters, prefix + references, prefix + alerts);
    }

    public TopicNames withImages(String name) {
        return new TopicNames(name, predictions, labels, metrics, deadLetters, references, alerts);
    }

    public TopicNames withPredictions(String name) {
        return new TopicNames(images, name, labels, metrics, deadLetters, references, alerts);
    }

    public TopicNames withLabels(String name) {
        return new TopicNames(images, predictions, name, metrics, deadLetters, references, alerts);
    }

    public TopicNames withMetrics(String name) {
        return new TopicNames(images, predictions, labels, name, deadLetters, references, alerts);
    }

    public TopicNames withDeadLetters(String name) {
        return new TopicNames(images, predictions, labels, metrics, name, references, alerts);
    }

    public TopicNames withReferences(String name) {
        return new TopicNames(images, predictions, labels, metrics, deadLetters, name, alerts);
    }

    public TopicNames withAlerts(String name) {
        return new TopicNames(images, predictions, labels, metrics, deadLetters, references, name);
    }

    /** All seven names, in declaration order. */
    public List<String> all() {
        return List.of(images, predictions, labels, metrics, deadLetters, references, alerts);
    }
}

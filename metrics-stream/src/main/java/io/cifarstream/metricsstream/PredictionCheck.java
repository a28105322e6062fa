package io.cifarstream.metricsstream;

import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.schemas.Rejection;
import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.CifarShape;
import io.cifarstream.metrics.ClassificationAccumulator;
import io.cifarstream.schemas.Label;
import io.cifarstream.schemas.Prediction;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The metrics stream's edge check: the rules {@link ClassificationAccumulator#add} enforces, applied to a
 * decoded {@link Prediction} or {@link Label} so that a bad record becomes a dead letter with its reason
 * instead of an exception inside the aggregation. Stateless.
 */
final class PredictionCheck {

    private PredictionCheck() {
    }

    /**
     * Empty when the record has a key and a value. Both topics are keyed by image id so that a prediction and its
     * label meet on the same partition: a record without a key lands on any partition and would never meet its
     * partner, and a null value (a tombstone) carries nothing to count; both were producer bugs passing silently.
     */
    static Optional<Rejection> checkEnvelope(byte[] key, byte[] value, String what) {
        if (value == null) {
            return Optional.of(new Rejection(DeadLetterKind.TOMBSTONE, "a " + what + " record with a null value (a tombstone):"
                    + " this topic carries Avro records only; delete by retention, not tombstones"));
        }
        if (key == null) {
            return Optional.of(new Rejection(DeadLetterKind.MISSING_KEY, "a " + what + " record without a key: key each "
                    + what + " by its image id (UTF-8) so it meets its partner on the same partition"));
        }
        return Optional.empty();
    }

    /** Empty when {@code key} spells {@code imageId} in UTF-8, the partitioning the join relies on. */
    static Optional<Rejection> checkKey(byte[] key, String imageId) {
        String text = new String(key, StandardCharsets.UTF_8);
        if (text.equals(imageId)) {
            return Optional.empty();
        }
        return Optional.of(new Rejection(DeadLetterKind.KEY_MISMATCH, "the key '" + text + "' differs from image_id '"
                + imageId + "': produce every record keyed by its image id, or it may join on the wrong partition"));
    }

    /** Empty when the prediction can be counted (its own label, if any, included). */
    static Optional<Rejection> check(Prediction prediction) {
        if (prediction.getModelId().isEmpty() || prediction.getImageId().isEmpty()) {
            return Optional.of(new Rejection(DeadLetterKind.MISSING_ID, "prediction of image '" + prediction.getImageId()
                    + "' by model '" + prediction.getModelId() + "' lacks an id: the scorer must set image_id and model_id"));
        }
        List<Float> logProbs = prediction.getLogProbs();
        if (logProbs.size() != CifarShape.CLASSES) {
            return Optional.of(new Rejection(DeadLetterKind.WRONG_SIZE, "prediction of " + prediction.getImageId() + " has "
                    + logProbs.size() + " log-probabilities, expected " + CifarShape.CLASSES
                    + " (one per CIFAR-10 class): check the model's output layer"));
        }
        double sum = 0;
        for (int k = 0; k < logProbs.size(); k++) {
            float value = logProbs.get(k);
            if (Float.isNaN(value)) {
                return Optional.of(new Rejection(DeadLetterKind.NAN_LOG_PROB, "prediction of " + prediction.getImageId()
                        + " has a NaN log-probability for class " + k + ": the model produced NaN (check its weights and input)"));
            }
            if (value == Float.POSITIVE_INFINITY) {
                return Optional.of(new Rejection(DeadLetterKind.INFINITE_LOG_PROB, "prediction of " + prediction.getImageId()
                        + " has log-probability +Infinity for class " + k + ": a log-probability is at most 0"));
            }
            sum += StrictMath.exp(value);
        }
        if (!(Math.abs(StrictMath.log(sum)) <= ClassificationAccumulator.NORMALIZATION_TOLERANCE)) {
            return Optional.of(new Rejection(DeadLetterKind.NOT_NORMALIZED, "prediction of " + prediction.getImageId()
                    + " has probabilities summing to " + sum + ", not 1: publish log-softmax outputs, not raw logits"));
        }
        Integer label = prediction.getLabel();
        if (label != null && !validLabel(label)) {
            return Optional.of(badLabel(prediction.getImageId(), label));
        }
        return checkImageStatistics(prediction);
    }

    /**
     * Empty when the prediction's image statistics are well formed: channel means and deviations both or neither,
     * a finite value per channel; chroma and detail both or neither, finite. (A version-2 prediction has means
     * and deviations only; the drift checks then leave its image out, see {@link LabelJoin}.)
     */
    private static Optional<Rejection> checkImageStatistics(Prediction prediction) {
        String problem = imageStatisticsProblem(prediction);
        return problem == null ? Optional.empty() : Optional.of(new Rejection(DeadLetterKind.BAD_IMAGE_STATISTICS,
                "prediction of " + prediction.getImageId() + " " + problem
                        + ": send the statistics computed from the decoded image, or none"));
    }

    /** What is wrong with the prediction's image statistics, or null when nothing is. */
    private static String imageStatisticsProblem(Prediction prediction) {
        List<Float> means = prediction.getChannelMeans();
        List<Float> stds = prediction.getChannelStds();
        if ((means == null) != (stds == null)) {
            return "has channel_means without channel_stds or the reverse";
        }
        if (means != null && (means.size() != ImageStatistics.CHANNELS || stds.size() != ImageStatistics.CHANNELS)) {
            return "has " + means.size() + " channel means and " + stds.size() + " deviations, expected "
                    + ImageStatistics.CHANNELS + " each (R, G, B)";
        }
        if (means != null && !(allFinite(means) && allFinite(stds))) {
            return "has a channel statistic that is not finite: " + means + " " + stds;
        }
        Float chroma = prediction.getImageChroma();
        Float detail = prediction.getImageDetail();
        if ((chroma == null) != (detail == null)) {
            return "has image_chroma without image_detail or the reverse";
        }
        if (chroma != null && !(Float.isFinite(chroma) && Float.isFinite(detail))) {
            return "has an image_chroma or image_detail that is not finite: " + chroma + " " + detail;
        }
        return null;
    }

    /** A loop, not a stream: this runs for every prediction, and a stream pipeline costs more than the check. */
    private static boolean allFinite(List<Float> values) {
        for (int i = 0; i < values.size(); i++) {
            if (!Float.isFinite(values.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Empty when the label is a class of CIFAR-10 and names an image. */
    static Optional<Rejection> check(Label label) {
        if (label.getImageId().isEmpty()) {
            return Optional.of(new Rejection(DeadLetterKind.MISSING_ID, "label without image_id: set it to the labelled image's id"));
        }
        return validLabel(label.getLabel()) ? Optional.empty() : Optional.of(badLabel(label.getImageId(), label.getLabel()));
    }

    private static boolean validLabel(int label) {
        return label >= 0 && label < CifarShape.CLASSES;
    }

    private static Rejection badLabel(String imageId, int label) {
        return new Rejection(DeadLetterKind.BAD_LABEL, "label " + label + " of " + imageId + " is not a class 0-"
                + (CifarShape.CLASSES - 1) + " (CIFAR-10 order: airplane ... truck)");
    }
}

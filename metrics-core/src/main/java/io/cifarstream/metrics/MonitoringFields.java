package io.cifarstream.metrics;

import java.util.List;

/**
 * The JSON field names of what is known before labels arrive and of how well calibrated a model is:
 * {@link ConfidenceEstimate}, {@link CalibrationError}, {@link DriftCheck} (and the drift check names) and
 * {@link Calibration}. The values' Jackson annotations use these constants and nothing else spells the
 * names; {@link ReportFields} holds those of the labelled metrics.
 */
public final class MonitoringFields {

    // ConfidenceEstimate
    public static final String COUNT = ReportFields.COUNT;
    public static final String ESTIMATED_ACCURACY = "estimated_accuracy";
    public static final String ESTIMATED_ACCURACY_AC = "estimated_accuracy_ac";
    public static final String ESTIMATED_ACCURACY_ATC = "estimated_accuracy_atc";
    public static final String ESTIMATED_ACCURACY_ATC_NE = "estimated_accuracy_atc_ne";
    public static final String ESTIMATED_F1_MACRO = "estimated_f1_macro";
    public static final String ESTIMATED_F1 = "estimated_f1";
    public static final String ESTIMATED_CONFUSION = "estimated_confusion";

    // CalibrationError
    public static final String ACCURACY = ReportFields.ACCURACY;
    public static final String MEAN_CONFIDENCE = "mean_confidence";
    public static final String ECE = "ece";
    public static final String BRIER = "brier";
    public static final String BRIER_PER_CLASS = "brier_per_class";
    public static final String BRIER_CLASS_MEAN = "brier_class_mean";
    public static final String RELIABILITY = "reliability";
    /** Inside each element of {@link #RELIABILITY}. */
    public static final String BIN_LOWER = "lower";
    public static final String BIN_UPPER = "upper";
    public static final String BIN_COUNT = "count";

    // DriftCheck
    public static final String DRIFT = "drift";
    public static final String NAME = "name";
    public static final String STATISTIC = "statistic";
    public static final String P_VALUE = "p_value";
    public static final String BOUND = "bound";
    public static final String OVER = "over";
    /** The drift checks, in the order a {@link Drift} lists them. */
    public static final String PREDICTED_CLASS_CHI_SQUARE = "predicted_class_chi_square";
    public static final String PREDICTED_CLASS_JS = "predicted_class_js";
    public static final String CONFIDENCE_JS = "confidence_js";
    /** Per channel R, G, B. */
    public static final List<String> IMAGE_MEAN_JS = List.of("image_mean_red_js", "image_mean_green_js",
            "image_mean_blue_js");
    public static final List<String> IMAGE_STD_JS = List.of("image_std_red_js", "image_std_green_js",
            "image_std_blue_js");
    public static final String IMAGE_CHROMA_JS = "image_chroma_js";
    public static final String IMAGE_DETAIL_JS = "image_detail_js";
    /** Not a check: the largest Jensen-Shannon distance of a view's checks ({@link Drift#maxDistance()}). */
    public static final String MAX_JS = "max_js";

    // Calibration
    public static final String VERSION = "version";
    public static final String NUM_CLASSES = "num_classes";
    public static final String TEMPERATURE = "temperature";
    public static final String ATC_THRESHOLD = "atc_threshold";
    public static final String ATC_ENTROPY_THRESHOLD = "atc_entropy_threshold";
    public static final String REFERENCE_COUNT = "reference_count";
    public static final String REFERENCE_ACCURACY = "reference_accuracy";
    public static final String REFERENCE_LOG_LOSS = "reference_log_loss";
    public static final String PREDICTED_CLASS_COUNTS = "predicted_class_counts";
    public static final String CONFIDENCE_HISTOGRAM = "confidence_histogram";
    public static final String IMAGE_COUNT = "image_count";
    public static final String CHANNEL_MEAN_HISTOGRAMS = "channel_mean_histograms";
    public static final String CHANNEL_STD_HISTOGRAMS = "channel_std_histograms";
    public static final String CHROMA_HISTOGRAM = "chroma_histogram";
    public static final String DETAIL_HISTOGRAM = "detail_histogram";

    private MonitoringFields() {
    }
}

package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/**
 * What a model's labelled reference predictions (a held-out validation split) say about it, fitted once by
 * {@link ReferenceSet} and stored beside the model as JSON: how to calibrate its outputs, and what its
 * outputs and inputs looked like, for the label-free estimates and the drift checks.
 *
 * <ul>
 *   <li>{@code temperature}: T of {@link TemperatureScaling}; every confidence below is that of
 *       {@code softmax(l / T)};</li>
 *   <li>{@code atc_threshold}: the ATC threshold t (Garg et al. 2022): with the reference confidences sorted
 *       from the largest, {@code s_1 >= s_2 >= ... >= s_n}, and {@code c} reference predictions right,
 *       {@code t = s_{c+1}} (0 when all are right), so that exactly c reference confidences are above t (fewer
 *       if {@code s_c = s_{c+1}}, a tie): the share above t is the reference accuracy;</li>
 *   <li>{@code atc_entropy_threshold}: the same threshold for ATC's negative-entropy score (ATC-NE, Garg et al.
 *       2022): the {@code (c+1)}-th largest reference negative entropy {@code sum_k p_k ln p_k} (in
 *       {@code [-ln K, 0]}; {@code -ln K}, the lowest possible, when all are right);</li>
 *   <li>{@code reference_count}, {@code reference_accuracy}, {@code reference_log_loss}: the reference
 *       records, their accuracy, and their mean NLL at T;</li>
 *   <li>{@code predicted_class_counts}: reference predictions per class (the arg-max), the expected shares of
 *       the chi-square check;</li>
 *   <li>{@code confidence_histogram}: reference confidences in {@link HistogramBins#CONFIDENCE};</li>
 *   <li>{@code image_count}, {@code channel_mean_histograms}, {@code channel_std_histograms}: of the reference
 *       records that came with {@link ImageStatistics}, how many, and per channel (R, G, B) the histogram of
 *       their means in {@link HistogramBins#CHANNEL_MEAN} and of their standard deviations in
 *       {@link HistogramBins#CHANNEL_STD} (all zeros when no record had them);</li>
 *   <li>{@code chroma_histogram}, {@code detail_histogram}: of the same records, the histograms of their
 *       chroma in {@link HistogramBins#CHROMA} and of their detail ratio in {@link HistogramBins#DETAIL};</li>
 *   <li>{@code version}: {@value #VERSION}, the definitions above (the bins included); version 1 had no
 *       {@code atc_entropy_threshold}, version 2 no chroma and detail histograms.</li>
 * </ul>
 */
@JsonPropertyOrder({MonitoringFields.VERSION, MonitoringFields.NUM_CLASSES, MonitoringFields.TEMPERATURE,
        MonitoringFields.ATC_THRESHOLD, MonitoringFields.ATC_ENTROPY_THRESHOLD, MonitoringFields.REFERENCE_COUNT, MonitoringFields.REFERENCE_ACCURACY,
        MonitoringFields.REFERENCE_LOG_LOSS, MonitoringFields.PREDICTED_CLASS_COUNTS,
        MonitoringFields.CONFIDENCE_HISTOGRAM, MonitoringFields.IMAGE_COUNT, MonitoringFields.CHANNEL_MEAN_HISTOGRAMS,
        MonitoringFields.CHANNEL_STD_HISTOGRAMS, MonitoringFields.CHROMA_HISTOGRAM, MonitoringFields.DETAIL_HISTOGRAM})
public record Calibration(
        @JsonProperty(MonitoringFields.VERSION) int version,
        @JsonProperty(MonitoringFields.NUM_CLASSES) int numClasses,
        @JsonProperty(MonitoringFields.TEMPERATURE) double temperature,
        @JsonProperty(MonitoringFields.ATC_THRESHOLD) double atcThreshold,
        @JsonProperty(MonitoringFields.ATC_ENTROPY_THRESHOLD) double atcEntropyThreshold,
        @JsonProperty(MonitoringFields.REFERENCE_COUNT) long referenceCount,
        @JsonProperty(MonitoringFields.REFERENCE_ACCURACY) double referenceAccuracy,
        @JsonProperty(MonitoringFields.REFERENCE_LOG_LOSS) double referenceLogLoss,
        @JsonProperty(MonitoringFields.PREDICTED_CLASS_COUNTS) List<Long> predictedClassCounts,
        @JsonProperty(MonitoringFields.CONFIDENCE_HISTOGRAM) List<Long> confidenceHistogram,
        @JsonProperty(MonitoringFields.IMAGE_COUNT) long imageCount,
        @JsonProperty(MonitoringFields.CHANNEL_MEAN_HISTOGRAMS) List<List<Long>> channelMeanHistograms,
        @JsonProperty(MonitoringFields.CHANNEL_STD_HISTOGRAMS) List<List<Long>> channelStdHistograms,
        @JsonProperty(MonitoringFields.CHROMA_HISTOGRAM) List<Long> chromaHistogram,
        @JsonProperty(MonitoringFields.DETAIL_HISTOGRAM) List<Long> detailHistogram) {

    /** The version of the definitions this code reads and writes. */
    public static final int VERSION = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the lists and checks every definition's shape. */
    public Calibration {
        if (version != VERSION) {
            throw new IllegalArgumentException("calibration version " + version + " is not " + VERSION
                    + ": fit the calibration again with this version (cifar-stream calibrate)");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classification needs at least 2 classes, got " + numClasses);
        }
        if (!(temperature > 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("a temperature must be positive and finite, got " + temperature);
        }
        if (!(atcThreshold >= 0 && atcThreshold <= 1)) {
            throw new IllegalArgumentException("the ATC threshold is a probability, got " + atcThreshold);
        }
        if (!isNegativeEntropy(atcEntropyThreshold, numClasses)) {
            throw new IllegalArgumentException("the ATC entropy threshold is a negative entropy of " + numClasses
                    + " classes, in [-ln " + numClasses + ", 0], got " + atcEntropyThreshold);
        }
        predictedClassCounts = counts(predictedClassCounts, numClasses, referenceCount, "predicted_class_counts");
        confidenceHistogram = counts(confidenceHistogram, HistogramBins.CONFIDENCE.count(), referenceCount,
                "confidence_histogram");
        channelMeanHistograms = channelHistograms(channelMeanHistograms, HistogramBins.CHANNEL_MEAN, imageCount,
                "channel_mean_histograms");
        channelStdHistograms = channelHistograms(channelStdHistograms, HistogramBins.CHANNEL_STD, imageCount,
                "channel_std_histograms");
        chromaHistogram = counts(chromaHistogram, HistogramBins.CHROMA.count(), imageCount, "chroma_histogram");
        detailHistogram = counts(detailHistogram, HistogramBins.DETAIL.count(), imageCount, "detail_histogram");
        if (imageCount > referenceCount) {
            throw new IllegalArgumentException(imageCount + " images but " + referenceCount + " reference records");
        }
    }

    /** Whether {@code value} can be the negative entropy of a distribution over {@code numClasses} classes. */
    static boolean isNegativeEntropy(double value, int numClasses) {
        return value <= 0 && value >= lowestNegativeEntropy(numClasses);
    }

    /** {@code -ln K}: the negative entropy of the uniform distribution, the lowest there is. */
    static double lowestNegativeEntropy(int numClasses) {
        return -StrictMath.log(numClasses);
    }

    private static List<Long> counts(List<Long> counts, int size, long total, String name) {
        List<Long> copy = List.copyOf(counts);
        long sum = 0;
        for (long c : copy) {
            if (c < 0) {
                throw new IllegalArgumentException(name + " has a negative count: " + copy);
            }
            sum += c;
        }
        if (copy.size() != size || sum != total) {
            throw new IllegalArgumentException(name + " needs " + size + " counts summing to " + total + ", got " + copy);
        }
        return copy;
    }

    private static List<List<Long>> channelHistograms(List<List<Long>> histograms, HistogramBins bins, long total,
            String name) {
        if (histograms.size() != ImageStatistics.CHANNELS) {
            throw new IllegalArgumentException(name + " needs one histogram per channel, got " + histograms.size());
        }
        return histograms.stream().map(h -> counts(h, bins.count(), total, name)).toList();
    }

    /** The JSON form, as stored beside a model. */
    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Calibration always serializes", e);
        }
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException if the text is not a calibration of this version
     */
    public static Calibration fromJson(String json) {
        try {
            return JSON.readValue(json, Calibration.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            throw new IllegalArgumentException("not a calibration: " + cause.getMessage(), e);
        }
    }

    /** Reference predictions per class as an array. */
    long[] predictedClassCountArray() {
        return predictedClassCounts.stream().mapToLong(Long::longValue).toArray();
    }
}

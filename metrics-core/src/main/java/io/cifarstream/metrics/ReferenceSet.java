package io.cifarstream.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled reference predictions of one model (a held-out validation split, never the training data),
 * collected to fit its {@link Calibration}: {@code train} fills one from its validation split, a
 * {@code calibrate} command from any labelled split. Keeps every record (the temperature fit passes over
 * them many times): about 70 bytes a record.
 *
 * <p>Not thread-safe.
 */
public final class ReferenceSet {

    private final int numClasses;
    private final CalibratedRow check;
    private final List<float[]> logProbs = new ArrayList<>();
    private int[] labels = new int[64];
    private final long[][] means;
    private final long[][] stds;
    private final long[] chroma = new long[HistogramBins.CHROMA.count()];
    private final long[] detail = new long[HistogramBins.DETAIL.count()];
    private long imageCount;

    /** An empty set for {@code numClasses} classes. */
    public ReferenceSet(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classification needs at least 2 classes, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.check = new CalibratedRow(numClasses, 1);
        this.means = new long[ImageStatistics.CHANNELS][HistogramBins.CHANNEL_MEAN.count()];
        this.stds = new long[ImageStatistics.CHANNELS][HistogramBins.CHANNEL_STD.count()];
    }

    /**
     * Adds a labelled prediction without image statistics.
     *
     * @throws IllegalArgumentException for a label out of range or bad log-probabilities
     */
    public void add(int label, float[] logProbs) {
        add(label, logProbs, null);
    }

    /**
     * Adds a labelled prediction with its image's {@link ImageStatistics} (null for none).
     *
     * @throws IllegalArgumentException for a label out of range, bad log-probabilities or bad statistics
     */
    public void add(int label, float[] logProbs, float[] channelStats) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("label " + label + " is outside 0.." + (numClasses - 1));
        }
        check.set(logProbs);
        if (channelStats != null) {
            ImageStatistics.require(channelStats);
            imageCount++;
            for (int c = 0; c < ImageStatistics.CHANNELS; c++) {
                means[c][HistogramBins.CHANNEL_MEAN.index(channelStats[ImageStatistics.MEAN + c])]++;
                stds[c][HistogramBins.CHANNEL_STD.index(channelStats[ImageStatistics.STD + c])]++;
            }
            chroma[HistogramBins.CHROMA.index(channelStats[ImageStatistics.CHROMA])]++;
            detail[HistogramBins.DETAIL.index(channelStats[ImageStatistics.DETAIL])]++;
        }
        int i = this.logProbs.size();
        if (i == labels.length) {
            labels = Arrays.copyOf(labels, 2 * i);
        }
        labels[i] = label;
        this.logProbs.add(logProbs.clone());
    }

    /** Records added. */
    public int size() {
        return logProbs.size();
    }

    /**
     * Fits the calibration: the temperature (see {@link TemperatureScaling}), then at that temperature the
     * ATC thresholds (confidence and negative entropy), the reference accuracy and NLL, the predicted-class counts and the confidence
     * histogram, plus the image-statistics histograms (see {@link Calibration} for each definition).
     *
     * @throws IllegalStateException if the set is empty
     */
    public Calibration calibration() {
        int n = size();
        if (n == 0) {
            throw new IllegalStateException("a calibration needs reference records; none were added");
        }
        int[] y = Arrays.copyOf(labels, n);
        float[][] rows = logProbs.toArray(new float[0][]);
        double temperature = TemperatureScaling.fit(y, rows);
        CalibratedRow row = new CalibratedRow(numClasses, temperature);
        double[] confidences = new double[n];
        double[] negativeEntropies = new double[n];
        long[] predicted = new long[numClasses];
        long[] histogram = new long[HistogramBins.CONFIDENCE.count()];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            row.set(rows[i]);
            confidences[i] = row.confidence;
            negativeEntropies[i] = row.negativeEntropy;
            predicted[row.predicted]++;
            histogram[HistogramBins.CONFIDENCE.index(row.confidence)]++;
            if (row.predicted == y[i]) {
                correct++;
            }
        }
        Arrays.sort(confidences);
        Arrays.sort(negativeEntropies);
        // The (correct + 1)-th largest score: exactly `correct` are above it, barring a tie.
        double threshold = correct == n ? 0 : confidences[n - 1 - correct];
        // Every term p_k (ln p_k) is <= 0; a near-uniform row can round a last bit below -ln K.
        double lowest = Calibration.lowestNegativeEntropy(numClasses);
        double entropyThreshold = correct == n ? lowest : Math.max(lowest, negativeEntropies[n - 1 - correct]);
        return new Calibration(Calibration.VERSION, numClasses, temperature, threshold, entropyThreshold, n,
                (double) correct / n,
                TemperatureScaling.negativeLogLikelihood(temperature, y, rows), boxed(predicted), boxed(histogram),
                imageCount, boxed(means), boxed(stds), boxed(chroma), boxed(detail));
    }

    private static List<Long> boxed(long[] counts) {
        return Arrays.stream(counts).boxed().toList();
    }

    private static List<List<Long>> boxed(long[][] histograms) {
        return Arrays.stream(histograms).map(ReferenceSet::boxed).toList();
    }
}

package io.cifarstream.metrics;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutable state of the drift checks over a view of predictions, counts only (so add, remove and merge are
 * exact): predictions per class, confidences per bin of {@link HistogramBins#CONFIDENCE}, and, for the
 * predictions that came with the image's {@link ImageStatistics}, per channel the histograms of the
 * means ({@link HistogramBins#CHANNEL_MEAN}) and standard deviations ({@link HistogramBins#CHANNEL_STD}), and
 * the histograms of the chroma ({@link HistogramBins#CHROMA}) and of the detail ratio ({@link HistogramBins#DETAIL}).
 * No label is read.
 *
 * <h2>The checks ({@link #drift})</h2>
 * <ul>
 *   <li>{@code predicted_class_chi_square}: {@link ChiSquare#goodnessOfFit} of the predictions per class
 *       against the reference's shares; bound: the critical value at {@value #ALPHA}. A test answers "could
 *       this be the reference's distribution?", and on a large view it says no to shifts too small to
 *       matter, so it comes with</li>
 *   <li>{@code predicted_class_js}: the {@link JensenShannon} distance of the two distributions (how far,
 *       whatever the count), bound {@value #DISTANCE_BOUND};</li>
 *   <li>{@code confidence_js}: the distance of the confidence histograms, bound {@value #DISTANCE_BOUND}.
 *       A distance rather than a two-sample test (Kolmogorov-Smirnov needs every value; binned, it is
 *       another chi-square that flags any shift on a large view): the confidence's effect on accuracy is
 *       already measured by the estimates, this says how much the shape moved;</li>
 *   <li>{@code image_mean_<channel>_js}, {@code image_std_<channel>_js}: the distance of each channel's
 *       histograms, bound {@value #DISTANCE_BOUND}; NaN while either side has no image statistics;</li>
 *   <li>{@code image_chroma_js}, {@code image_detail_js}: the same for the chroma and the detail ratio.
 *       Saturation moves the chroma; blur, pixelation and JPEG lower the detail ratio, noise raises it, while
 *       means and deviations hardly move.</li>
 * </ul>
 * A distance between histograms of finite samples is above 0 even without drift: for B bins, n records
 * in view and N in the reference, about {@code sqrt((B - 1) (1/n + 1/N) / 8)} (0.05 for 15 bins, n = 1000,
 * N = 5000), so a view needs several hundred records before its distances mean anything. The bound
 * 0.1 is Evidently's default for the Jensen-Shannon distance.
 *
 * <p>Add and remove allocate nothing. Not thread-safe.
 */
public final class DriftAccumulator {

    /** The chi-square check's significance level. */
    public static final double ALPHA = 0.01;
    /** The bound of every Jensen-Shannon distance check. */
    public static final double DISTANCE_BOUND = 0.1;

    private static final byte FORMAT = 3;
    private static final int CHANNELS = ImageStatistics.CHANNELS;
    private static final HistogramBins MEAN_BINS = HistogramBins.CHANNEL_MEAN;
    private static final HistogramBins STD_BINS = HistogramBins.CHANNEL_STD;

    private final CalibrationKey key;
    private final CalibratedRow row;
    private final long[] predicted;
    private final long[] confidence;
    /** Channel c's bin b at {@code c * bins + b}. */
    private final long[] means;
    private final long[] stds;
    private final long[] chroma;
    private final long[] detail;
    private long count;
    private long imageCount;

    /** An empty state for predictions calibrated by {@code calibration}. */
    public DriftAccumulator(Calibration calibration) {
        this(CalibrationKey.of(calibration), 0, 0, new long[calibration.numClasses()],
                new long[HistogramBins.CONFIDENCE.count()], new long[CHANNELS * MEAN_BINS.count()],
                new long[CHANNELS * STD_BINS.count()], new long[HistogramBins.CHROMA.count()],
                new long[HistogramBins.DETAIL.count()]);
    }

    private DriftAccumulator(CalibrationKey key, long count, long imageCount, long[] predicted, long[] confidence,
            long[] means, long[] stds, long[] chroma, long[] detail) {
        this.key = key;
        this.row = key.newRow();
        this.count = count;
        this.imageCount = imageCount;
        this.predicted = predicted;
        this.confidence = confidence;
        this.means = means;
        this.stds = stds;
        this.chroma = chroma;
        this.detail = detail;
    }

    /** An independent copy of this state. */
    public DriftAccumulator copy() {
        return new DriftAccumulator(key, count, imageCount, predicted.clone(), confidence.clone(), means.clone(),
                stds.clone(), chroma.clone(), detail.clone());
    }

    /**
     * Counts one prediction without image statistics.
     *
     * @throws IllegalArgumentException for a bad prediction; nothing changes then
     */
    public void add(float[] logProbs) {
        add(logProbs, null);
    }

    /**
     * Counts one prediction and, unless {@code channelStats} is null, its image's statistics.
     *
     * @throws IllegalArgumentException for a bad prediction or statistics; nothing changes then
     */
    public void add(float[] logProbs, float[] channelStats) {
        requireStatistics(channelStats);
        add(row.set(logProbs), channelStats);
    }

    /**
     * Counts one prediction calibrated beforehand and, unless {@code channelStats} is null, its image's statistics:
     * the same as {@link #add(float[], float[])} of its log-probabilities.
     *
     * @throws IllegalArgumentException for bad statistics, or a prediction calibrated with another class count or
     *         temperature; nothing changes then
     */
    public void add(CalibratedPrediction prediction, float[] channelStats) {
        requireStatistics(channelStats);
        add(prediction.rowFor(key), channelStats);
    }

    private void add(CalibratedRow calibrated, float[] channelStats) {
        int bin = HistogramBins.CONFIDENCE.index(calibrated.confidence);
        predicted[calibrated.predicted] = Math.addExact(predicted[calibrated.predicted], 1);
        confidence[bin]++;
        count++;
        if (channelStats != null) {
            imageCount++;
            for (int c = 0; c < CHANNELS; c++) {
                means[meanCell(c, channelStats)]++;
                stds[stdCell(c, channelStats)]++;
            }
            chroma[chromaBin(channelStats)]++;
            detail[detailBin(channelStats)]++;
        }
    }

    /**
     * Uncounts a prediction added with the same log-probabilities and statistics (or none).
     *
     * @throws IllegalArgumentException for a bad prediction or statistics
     * @throws IllegalStateException if the view cannot hold such a prediction (a count would go below 0);
     *         nothing changes then. The state holds counts, not predictions: remove only what was added
     */
    public void remove(float[] logProbs, float[] channelStats) {
        int bin = classify(logProbs, channelStats);
        boolean present = predicted[row.predicted] > 0 && confidence[bin] > 0;
        if (channelStats != null) {
            for (int c = 0; c < CHANNELS && present; c++) {
                present = means[meanCell(c, channelStats)] > 0 && stds[stdCell(c, channelStats)] > 0;
            }
            present = present && chroma[chromaBin(channelStats)] > 0 && detail[detailBin(channelStats)] > 0;
        }
        if (!present) {
            throw new IllegalStateException("cannot remove a prediction of class " + row.predicted
                    + " that is not in view (remove only predictions that were added)");
        }
        predicted[row.predicted]--;
        confidence[bin]--;
        count--;
        if (channelStats != null) {
            imageCount--;
            for (int c = 0; c < CHANNELS; c++) {
                means[meanCell(c, channelStats)]--;
                stds[stdCell(c, channelStats)]--;
            }
            chroma[chromaBin(channelStats)]--;
            detail[detailBin(channelStats)]--;
        }
    }

    /** Uncounts a prediction added without image statistics. */
    public void remove(float[] logProbs) {
        remove(logProbs, null);
    }

    private int classify(float[] logProbs, float[] channelStats) {
        requireStatistics(channelStats);
        row.set(logProbs);
        return HistogramBins.CONFIDENCE.index(row.confidence);
    }

    private static void requireStatistics(float[] channelStats) {
        if (channelStats != null) {
            ImageStatistics.require(channelStats);
        }
    }

    private static int meanCell(int channel, float[] stats) {
        return channel * MEAN_BINS.count() + MEAN_BINS.index(stats[ImageStatistics.MEAN + channel]);
    }

    private static int chromaBin(float[] stats) {
        return HistogramBins.CHROMA.index(stats[ImageStatistics.CHROMA]);
    }

    private static int detailBin(float[] stats) {
        return HistogramBins.DETAIL.index(stats[ImageStatistics.DETAIL]);
    }

    private static int stdCell(int channel, float[] stats) {
        return channel * STD_BINS.count() + STD_BINS.index(stats[ImageStatistics.STD + channel]);
    }

    /**
     * Adds every prediction of {@code other} (the union of both views).
     *
     * @throws IllegalArgumentException if {@code other} was calibrated differently
     */
    public void merge(DriftAccumulator other) {
        key.requireSame(other.key, "merge");
        addAll(predicted, other.predicted);
        addAll(confidence, other.confidence);
        addAll(means, other.means);
        addAll(stds, other.stds);
        addAll(chroma, other.chroma);
        addAll(detail, other.detail);
        count = Math.addExact(count, other.count);
        imageCount = Math.addExact(imageCount, other.imageCount);
    }

    private static void addAll(long[] into, long[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] = Math.addExact(into[i], from[i]);
        }
    }

    /** Predictions in view. */
    public long count() {
        return count;
    }

    /** Predictions in view that came with image statistics. */
    public long imageCount() {
        return imageCount;
    }

    /**
     * The checks of this view against the reference it was calibrated with (see the class doc).
     *
     * @throws IllegalArgumentException if {@code reference} is another calibration than this state's
     */
    public Drift drift(Calibration reference) {
        key.requireSame(CalibrationKey.of(reference), "check");
        List<DriftCheck> checks = new ArrayList<>();
        long[] referencePredicted = reference.predictedClassCountArray();
        double[] expected = new double[referencePredicted.length];
        for (int k = 0; k < expected.length; k++) {
            expected[k] = referencePredicted[k];
        }
        ChiSquare test = ChiSquare.goodnessOfFit(predicted, expected);
        boolean defined = count > 0 && test.degreesOfFreedom() > 0;
        checks.add(DriftCheck.of(MonitoringFields.PREDICTED_CLASS_CHI_SQUARE, defined ? test.statistic() : Double.NaN,
                test.pValue(), defined ? ChiSquare.criticalValue(ALPHA, test.degreesOfFreedom()) : Double.NaN));
        checks.add(distance(MonitoringFields.PREDICTED_CLASS_JS, predicted, referencePredicted));
        checks.add(distance(MonitoringFields.CONFIDENCE_JS, confidence, array(reference.confidenceHistogram())));
        for (int c = 0; c < CHANNELS; c++) {
            checks.add(distance(MonitoringFields.IMAGE_MEAN_JS.get(c), channel(means, c, MEAN_BINS),
                    array(reference.channelMeanHistograms().get(c))));
        }
        for (int c = 0; c < CHANNELS; c++) {
            checks.add(distance(MonitoringFields.IMAGE_STD_JS.get(c), channel(stds, c, STD_BINS),
                    array(reference.channelStdHistograms().get(c))));
        }
        checks.add(distance(MonitoringFields.IMAGE_CHROMA_JS, chroma, array(reference.chromaHistogram())));
        checks.add(distance(MonitoringFields.IMAGE_DETAIL_JS, detail, array(reference.detailHistogram())));
        return new Drift(checks);
    }

    private static DriftCheck distance(String name, long[] view, long[] reference) {
        return DriftCheck.of(name, JensenShannon.distance(view, reference), Double.NaN, DISTANCE_BOUND);
    }

    private static long[] channel(long[] cells, int channel, HistogramBins bins) {
        long[] histogram = new long[bins.count()];
        System.arraycopy(cells, channel * bins.count(), histogram, 0, bins.count());
        return histogram;
    }

    private static long[] array(List<Long> counts) {
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    // ---- bytes -----------------------------------------------------------------------------------

    /** The exact length of {@link #toBytes()}. */
    public int sizeBytes() {
        int bytes = StateFormat.headerBytes(count) + Leb128.size(imageCount);
        for (long[] counts : List.of(predicted, confidence, means, stds, chroma, detail)) {
            for (long c : counts) {
                bytes += Leb128.size(c);
            }
        }
        return bytes;
    }

    /**
     * The binary form for a state store: a format byte, the calibration key, the count and the image count,
     * then (varints) the predictions per class, the confidence histogram, and the channels' mean histograms
     * and standard-deviation histograms, channel after channel, then the chroma and the detail histograms.
     */
    public byte[] toBytes() {
        ByteBuffer out = StateFormat.start(sizeBytes(), FORMAT, key, count);
        Leb128.write(out, imageCount);
        for (long[] counts : List.of(predicted, confidence, means, stds, chroma, detail)) {
            for (long c : counts) {
                Leb128.write(out, c);
            }
        }
        return out.array();
    }

    /**
     * Reads a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not such a state
     */
    public static DriftAccumulator fromBytes(byte[] bytes) {
        return StateFormat.read(bytes, FORMAT, "DriftAccumulator", (key, count, in) -> {
            long imageCount = Leb128.read(in);
            if (imageCount > count) {
                throw new IllegalArgumentException(imageCount + " images but " + count + " predictions");
            }
            long[] predicted = StateFormat.readCounts(in, key.numClasses(), count, "predictions per class");
            long[] confidence = StateFormat.readCounts(in, HistogramBins.CONFIDENCE.count(), count,
                    "the confidence histogram");
            long[] means = readChannels(in, MEAN_BINS, imageCount, "a channel-mean histogram");
            long[] stds = readChannels(in, STD_BINS, imageCount, "a channel-deviation histogram");
            long[] chroma = StateFormat.readCounts(in, HistogramBins.CHROMA.count(), imageCount, "the chroma histogram");
            long[] detail = StateFormat.readCounts(in, HistogramBins.DETAIL.count(), imageCount, "the detail histogram");
            return new DriftAccumulator(key, count, imageCount, predicted, confidence, means, stds, chroma, detail);
        });
    }

    private static long[] readChannels(ByteBuffer in, HistogramBins bins, long imageCount, String what) {
        long[] cells = new long[CHANNELS * bins.count()];
        for (int c = 0; c < CHANNELS; c++) {
            long[] histogram = StateFormat.readCounts(in, bins.count(), imageCount, what);
            System.arraycopy(histogram, 0, cells, c * bins.count(), bins.count());
        }
        return cells;
    }

    @Override
    public String toString() {
        return "DriftAccumulator[" + key + ", count=" + count + ", images=" + imageCount + "]";
    }
}

package io.cifarstream.testkit;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.metrics.ReferenceSet;
import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.Prediction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic, classifier-like predictions for benchmarks and tests where no trained model runs: per record a
 * temperature from soft to saturated, uniform logits and a boost of random size for the true class (about 60 %
 * accuracy), as float32 log-softmax like the scorer emits, so ROC scores spread from exactly 0 to exactly 1; and
 * image statistics as the scorer computes them (channel means and deviations). The same (seed, index, label) always
 * gives the same log-probabilities and statistics. {@link #reference} is the model's reference (its calibration),
 * made on records of indexes no prediction uses, of the version the predictions carry.
 */
public final class SyntheticPredictions {

    private static final double[] TEMPERATURES = {0.5, 1, 2, 5, 10, 20};
    /** The reference's records' indexes start here, far above any prediction's. */
    private static final long REFERENCE_INDEXES = 1L << 40;

    private final long seed;

    public SyntheticPredictions(long seed) {
        this.seed = seed;
    }

    /** The log-probabilities of record {@code index}, whose true class is {@code label}. */
    public float[] logProbs(long index, int label) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        double scale = TEMPERATURES[random.nextInt(TEMPERATURES.length)];
        double[] logits = new double[CifarShape.CLASSES];
        for (int k = 0; k < logits.length; k++) {
            logits[k] = (random.nextDouble() * 2 - 1) * scale;
        }
        logits[label] += (1.2 + 0.8 * gaussian(random)) * scale;
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (double logit : logits) {
            sum += Math.exp(logit - max);
        }
        double log = Math.log(sum);
        float[] logProbs = new float[logits.length];
        for (int k = 0; k < logits.length; k++) {
            logProbs[k] = (float) (logits[k] - max - log);
        }
        return logProbs;
    }

    /**
     * The image statistics of record {@code index}, as {@link ImageStatistics} lays them out: channel means around
     * 0.45, deviations around 0.22, chroma around 0.13 and detail around 0.62, as CIFAR-10's.
     */
    public float[] imageStatistics(long index) {
        SplittableRandom random = new SplittableRandom(~(seed * 0x9E3779B97F4A7C15L + index));
        float[] stats = new float[ImageStatistics.LENGTH];
        for (int c = 0; c < ImageStatistics.CHANNELS; c++) {
            stats[ImageStatistics.MEAN + c] = (float) (0.3 + 0.3 * random.nextDouble());
            stats[ImageStatistics.STD + c] = (float) (0.14 + 0.16 * random.nextDouble());
        }
        stats[ImageStatistics.CHROMA] = (float) (0.02 + 0.22 * random.nextDouble());
        stats[ImageStatistics.DETAIL] = (float) (0.54 + 0.16 * random.nextDouble());
        return stats;
    }

    /** The model version every prediction carries. */
    public String version() {
        return "synthetic-" + seed;
    }

    /** The reference of these predictions' model: fitted on {@code count} records that no prediction's index reaches. */
    public Calibration reference(int count) {
        ReferenceSet reference = new ReferenceSet(CifarShape.CLASSES);
        for (int i = 0; i < count; i++) {
            long index = REFERENCE_INDEXES + i;
            reference.add(i % CifarShape.CLASSES, logProbs(index, i % CifarShape.CLASSES), imageStatistics(index));
        }
        return reference.calibration();
    }

    /** The reference as the scorer publishes it on the references topic. */
    public ModelReference modelReference(String model, Calibration calibration, Instant published) {
        return ModelReference.newBuilder().setModelId(model).setModelVersion(version())
                .setCalibrationJson(calibration.toJson()).setSource("synthetic reference of seed " + seed)
                .setPublishedTime(published).build();
    }

    /** A prediction of {@code model} for {@code imageId} with or without its label inside, with image statistics. */
    public Prediction prediction(String model, String imageId, long index, int label, boolean withLabel, Instant eventTime) {
        float[] logProbs = logProbs(index, label);
        List<Float> values = new ArrayList<>(logProbs.length);
        int argmax = 0;
        for (int k = 0; k < logProbs.length; k++) {
            values.add(logProbs[k]);
            if (logProbs[k] > logProbs[argmax]) {
                argmax = k;
            }
        }
        float[] stats = imageStatistics(index);
        List<Float> means = new ArrayList<>(ImageStatistics.CHANNELS);
        List<Float> stds = new ArrayList<>(ImageStatistics.CHANNELS);
        for (int c = 0; c < ImageStatistics.CHANNELS; c++) {
            means.add(stats[ImageStatistics.MEAN + c]);
            stds.add(stats[ImageStatistics.STD + c]);
        }
        return Prediction.newBuilder().setImageId(imageId).setModelId(model).setModelVersion(version())
                .setLogProbs(values).setPredictedClass(argmax).setLabel(withLabel ? label : null)
                .setEventTime(eventTime).setScoredTime(eventTime).setScoringLatencyMicros(0)
                .setChannelMeans(means).setChannelStds(stds).setImageChroma(stats[ImageStatistics.CHROMA])
                .setImageDetail(stats[ImageStatistics.DETAIL]).build();
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

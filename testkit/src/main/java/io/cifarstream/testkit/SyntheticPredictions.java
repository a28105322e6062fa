package io.cifarstream.testkit;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.Prediction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic, classifier-like predictions for benchmarks and tests where no trained model runs: per record a
 * temperature from soft to saturated, uniform logits and a boost of random size for the true class (about 60 %
 * accuracy), as float32 log-softmax like the scorer emits, so ROC scores spread from exactly 0 to exactly 1.
 * The same (seed, index, label) always gives the same log-probabilities.
 */
public final class SyntheticPredictions {

    private static final double[] TEMPERATURES = {0.5, 1, 2, 5, 10, 20};

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

    /** A prediction of {@code model} for {@code imageId} with or without its label inside. */
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
        return Prediction.newBuilder().setImageId(imageId).setModelId(model).setModelVersion("synthetic-" + seed)
                .setLogProbs(values).setPredictedClass(argmax).setLabel(withLabel ? label : null)
                .setEventTime(eventTime).setScoredTime(eventTime).setScoringLatencyMicros(0).build();
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClassificationAccumulatorTest {

    /** Float32 log-probabilities of the given probabilities, as a log-softmax would emit them. */
    private static float[] logProbs(double... probabilities) {
        float[] out = new float[probabilities.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) Math.log(probabilities[k]);
        }
        return out;
    }

    /**
     * Three records, three classes:
     * <pre>
     *   label 0, p = [0.7, 0.2, 0.1] -> predicted 0
     *   label 1, p = [0.5, 0.2, 0.3] -> predicted 0
     *   label 2, p = [0.2, 0.2, 0.6] -> predicted 2
     * </pre>
     */
    private static ClassificationAccumulator threeRecords() {
        ClassificationAccumulator acc = new ClassificationAccumulator(3);
        acc.add(0, logProbs(0.7, 0.2, 0.1));
        acc.add(1, logProbs(0.5, 0.2, 0.3));
        acc.add(2, logProbs(0.2, 0.2, 0.6));
        return acc;
    }

    @Test
    void threeRecordsByHand() {
        ClassificationReport r = threeRecords().snapshot();
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.confusion().counts()).isEqualTo(new long[][] {{1, 0, 0}, {1, 0, 0}, {0, 0, 1}});
        assertThat(r.accuracy()).isCloseTo(2.0 / 3, within(1e-15));
        // precision [1/2, 0 (never predicted: zero_division), 1], recall [1, 0, 1], f1 [2/3, 0, 1]
        assertThat(r.precision()).containsExactly(0.5, 0.0, 1.0);
        assertThat(r.recall()).containsExactly(1.0, 0.0, 1.0);
        assertThat(r.f1().get(0)).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(r.f1Macro()).isCloseTo(5.0 / 9, within(1e-15));
        assertThat(r.f1Weighted()).isCloseTo(5.0 / 9, within(1e-15));
        // AUC class 0: positive 0.7 vs negatives 0.5, 0.2 -> 2/2 = 1.
        // AUC class 1: positive 0.2 vs negatives 0.2, 0.2: two ties -> (1/2 + 1/2) / 2 = 0.5.
        // AUC class 2: positive 0.6 vs negatives 0.1, 0.3 -> 1.
        assertThat(r.auc()).containsExactly(1.0, 0.5, 1.0);
        assertThat(r.aucMacro()).isCloseTo(2.5 / 3, within(1e-15));
        // log-loss = -(ln 0.7 + ln 0.2 + ln 0.6) / 3 = (0.356675 + 1.609438 + 0.510826) / 3 = 0.825646;
        // 1e-7: the inputs went through float32.
        assertThat(r.logLoss()).isCloseTo(-(Math.log(0.7) + Math.log(0.2) + Math.log(0.6)) / 3, within(1e-7));
        assertThat(r.logLoss()).isCloseTo(0.825646, within(1e-6));
    }

    @Test
    void oneClassViewHasNaNAucAndMacroSkipsIt() {
        ClassificationAccumulator acc = new ClassificationAccumulator(3);
        acc.add(0, logProbs(0.6, 0.3, 0.1));
        acc.add(1, logProbs(0.3, 0.6, 0.1));
        ClassificationReport r = acc.snapshot();
        // Class 2 has no positive in view: undefined (sklearn raises), and auc_macro averages the others.
        assertThat(r.auc().get(2)).isNaN();
        assertThat(r.roc().get(2).size()).isZero();
        assertThat(r.auc().get(0)).isEqualTo(1.0);
        assertThat(r.auc().get(1)).isEqualTo(1.0);
        assertThat(r.aucMacro()).isEqualTo(1.0);

        ClassificationAccumulator onlyOneLabel = new ClassificationAccumulator(3);
        onlyOneLabel.add(1, logProbs(0.3, 0.6, 0.1));
        assertThat(onlyOneLabel.snapshot().auc()).allMatch(a -> a.isNaN());
        assertThat(onlyOneLabel.snapshot().aucMacro()).isNaN();
    }

    @Test
    void emptyViewHasNoAccuracyAndNoLogLoss() {
        ClassificationReport r = new ClassificationAccumulator(10).snapshot();
        assertThat(r.count()).isZero();
        assertThat(r.accuracy()).isNaN();
        assertThat(r.logLoss()).isNaN();
        assertThat(r.aucMacro()).isNaN();
        assertThat(r.f1Macro()).isZero();
    }

    @Test
    void zeroProbabilityOfTheTrueClassCostsTheFloorNotInfinity() {
        ClassificationAccumulator acc = new ClassificationAccumulator(2);
        acc.add(1, new float[] {0f, Float.NEGATIVE_INFINITY});
        // ln(sum p) = ln(1 + 0) = 0; nll = 0 - ln(Double.MIN_VALUE) = 744.44
        assertThat(acc.snapshot().logLoss()).isCloseTo(744.4400719213812, within(1e-9));
        assertThat(ClassificationAccumulator.LOG_PROB_FLOOR).isCloseTo(-744.44007, within(1e-5));
    }

    @Test
    void rejectsBadRecordsWithTheCauseAndChangesNothing() {
        ClassificationAccumulator acc = threeRecords();
        byte[] before = acc.toBytes();
        assertThatThrownBy(() -> acc.add(0, new float[] {Float.NaN, -1f, -1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log-probability of class 0 is NaN");
        assertThatThrownBy(() -> acc.add(0, new float[] {Float.POSITIVE_INFINITY, -1f, -1f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> acc.add(3, logProbs(0.2, 0.3, 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 3 is outside 0..2");
        assertThatThrownBy(() -> acc.add(-1, logProbs(0.2, 0.3, 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label -1");
        assertThatThrownBy(() -> acc.add(0, logProbs(0.5, 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 3 log-probabilities");
        // Raw logits instead of log-softmax: their exps do not sum to 1.
        assertThatThrownBy(() -> acc.add(0, new float[] {2.5f, -1f, 0.3f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not raw logits");
        assertThat(acc.toBytes()).isEqualTo(before);
    }

    @Test
    void addThenRemoveRestoresTheStateExactly() {
        Random random = new Random(1);
        ClassificationAccumulator acc = new ClassificationAccumulator(10);
        for (int i = 0; i < 500; i++) {
            acc.add(random.nextInt(10), randomLogProbs(random, 10));
        }
        byte[] before = acc.toBytes();
        int[] labels = new int[300];
        float[][] records = new float[300][];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(10);
            records[i] = randomLogProbs(random, 10);
            acc.add(labels[i], records[i]);
        }
        // Removal in a different order than addition: the sums are exact integers.
        for (int i = 0; i < labels.length; i += 2) {
            acc.remove(labels[i], records[i]);
        }
        for (int i = 1; i < labels.length; i += 2) {
            acc.remove(labels[i], records[i]);
        }
        assertThat(acc.toBytes()).isEqualTo(before);
    }

    /** A record classified once and counted in several views counts as if each view had classified it. */
    @Test
    void aRecordClassifiedOnceCountsLikeItsLabelAndLogProbabilities() {
        Random random = new Random(2);
        ClassificationAccumulator direct = new ClassificationAccumulator(10);
        ClassificationAccumulator classified = new ClassificationAccumulator(10);
        for (int i = 0; i < 400; i++) {
            int label = random.nextInt(10);
            float[] logProbs = randomLogProbs(random, 10);
            direct.add(label, logProbs);
            ClassifiedRecord record = ClassifiedRecord.of(10, label, logProbs);
            classified.add(record);
            if (i % 3 == 0) {
                direct.remove(label, logProbs);
                classified.remove(record);
            }
        }
        assertThat(classified.toBytes()).isEqualTo(direct.toBytes());
        assertThatThrownBy(() -> classified.add(ClassifiedRecord.of(3, 0, new float[] {0f, Float.NEGATIVE_INFINITY,
                Float.NEGATIVE_INFINITY}))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 classes");
    }

    @Test
    void removingARecordNotInViewFailsAndChangesNothing() {
        ClassificationAccumulator acc = threeRecords();
        byte[] before = acc.toBytes();
        assertThatThrownBy(() -> acc.remove(1, logProbs(0.7, 0.2, 0.1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in view");
        assertThat(acc.toBytes()).isEqualTo(before);
    }

    @Test
    void mergingPartsEqualsFeedingTheWhole() {
        Random random = new Random(4);
        ClassificationAccumulator whole = new ClassificationAccumulator(10);
        ClassificationAccumulator[] parts = {new ClassificationAccumulator(10), new ClassificationAccumulator(10),
            new ClassificationAccumulator(10)};
        for (int i = 0; i < 3_000; i++) {
            int label = random.nextInt(10);
            float[] record = randomLogProbs(random, 10);
            whole.add(label, record);
            parts[random.nextInt(3)].add(label, record);
        }
        parts[0].merge(parts[1]);
        parts[0].merge(parts[2]);
        assertThat(parts[0].toBytes()).isEqualTo(whole.toBytes());
        assertThat(parts[0].snapshot()).isEqualTo(whole.snapshot());
    }

    @Test
    void bytesRoundTrip() {
        Random random = new Random(8);
        ClassificationAccumulator acc = new ClassificationAccumulator(10, 300);
        for (int i = 0; i < 2_000; i++) {
            acc.add(random.nextInt(10), randomLogProbs(random, 10));
        }
        byte[] bytes = acc.toBytes();
        assertThat(bytes).hasSize(acc.sizeBytes());
        ClassificationAccumulator read = ClassificationAccumulator.fromBytes(bytes);
        assertThat(read.toBytes()).isEqualTo(bytes);
        assertThat(read.snapshot()).isEqualTo(acc.snapshot());
        assertThat(read.roc(0).isExact()).isFalse(); // 300 cells were not enough: coarse state survives too
        assertThatThrownBy(() -> ClassificationAccumulator.fromBytes(Arrays.copyOf(bytes, 40)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copyIsIndependent() {
        ClassificationAccumulator acc = threeRecords();
        ClassificationAccumulator copy = acc.copy();
        copy.add(2, logProbs(0.1, 0.1, 0.8));
        assertThat(acc.count()).isEqualTo(3);
        assertThat(copy.count()).isEqualTo(4);
    }

    /** Log-softmax of random logits, computed in double and rounded to float32. */
    static float[] randomLogProbs(Random random, int classes) {
        double[] logits = new double[classes];
        double scale = 0.5 + random.nextDouble() * 10;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            logits[k] = random.nextGaussian() * scale;
            max = Math.max(max, logits[k]);
        }
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        float[] out = new float[classes];
        for (int k = 0; k < classes; k++) {
            out[k] = (float) (logits[k] - max - Math.log(sum));
        }
        return out;
    }
}

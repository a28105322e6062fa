package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RocSketchTest {

    /**
     * Positives score 0.8, 0.5, 0.5; negatives 0.5, 0.3. The 6 (positive, negative) pairs:
     * 0.8>0.5: 1, 0.8>0.3: 1, 0.5=0.5: 1/2 (twice), 0.5>0.3: 1 (twice) -> U = 5, AUC = 5/6.
     */
    static RocSketch tiedExample() {
        RocSketch sketch = new RocSketch();
        sketch.add(0.8f, true);
        sketch.add(0.5f, true);
        sketch.add(0.5f, true);
        sketch.add(0.5f, false);
        sketch.add(0.3f, false);
        return sketch;
    }

    @Test
    void tiesCountHalf() {
        RocSketch sketch = tiedExample();
        assertThat(sketch.auc()).isCloseTo(5.0 / 6, within(1e-15));
        assertThat(sketch.aucErrorBound()).isZero();
        assertThat(sketch.isExact()).isTrue();
        assertThat(sketch.cellCount()).isEqualTo(3); // distinct scores 0.3, 0.5, 0.8
    }

    @Test
    void curveHasOnePointPerDistinctScoreLikeSklearnWithoutDropping() {
        // Thresholds from the top: 0.8 -> (fp 0, tp 1), 0.5 -> (1, 3), 0.3 -> (2, 3); P = 3, N = 2.
        // Trapezoids: 0 + 0.5 * (1/3 + 1) / 2 + 0.5 * 1 = 5/6, the AUC.
        RocCurve curve = tiedExample().curve();
        assertThat(curve.fpr()).containsExactly(0.0, 0.0, 0.5, 1.0);
        assertThat(curve.tpr()).containsExactly(0.0, 1.0 / 3, 1.0, 1.0);
    }

    @Test
    void thinnedCurveDropsPointsOnStraightSegmentsAndKeepsExactVertices() {
        RocSketch sketch = new RocSketch();
        for (float s : new float[] {0.9f, 0.8f, 0.7f}) {
            sketch.add(s, true);
        }
        sketch.add(0.1f, false);
        // Full: (0,0) (0,1/3) (0,2/3) (0,1) (1,1); the middle two lie on the segment (0,0)-(0,1).
        assertThat(sketch.curve().size()).isEqualTo(5);
        RocCurve thin = sketch.curve(10);
        assertThat(thin.fpr()).containsExactly(0.0, 0.0, 1.0);
        assertThat(thin.tpr()).containsExactly(0.0, 1.0, 1.0);
    }

    @Test
    void thinningToFewPointsKeepsEndsAndOnlyPointsOfTheFullCurve() {
        RocSketch sketch = new RocSketch();
        Random random = new Random(3);
        for (int i = 0; i < 5_000; i++) {
            boolean positive = random.nextBoolean();
            sketch.add((float) sigmoid(random.nextGaussian() * 2 + (positive ? 1 : -1)), positive);
        }
        RocCurve full = sketch.curve();
        RocCurve thin = sketch.curve(50);
        assertThat(thin.size()).isBetween(40, 50);
        assertThat(thin.fpr().get(0)).isZero();
        assertThat(thin.tpr().get(thin.size() - 1)).isEqualTo(1.0);
        assertThat(fullCurveContainsInOrder(full, thin)).isTrue();
    }

    @Test
    void oneClassViewHasNoAuc() {
        RocSketch onlyPositives = new RocSketch();
        onlyPositives.add(0.9f, true);
        onlyPositives.add(0.2f, true);
        assertThat(onlyPositives.auc()).isNaN();
        assertThat(onlyPositives.aucErrorBound()).isNaN();
        assertThat(onlyPositives.curve().size()).isZero();
        assertThat(new RocSketch().auc()).isNaN();
    }

    @Test
    void scoresNextToOneKeepTheirOrder() {
        // 1 - 2^-24 and 1 - 2^-23 are neighbouring float32 values below 1; positives above negatives.
        RocSketch sketch = new RocSketch(2);
        sketch.add(1f - 0x1p-24f, true);
        sketch.add(1f - 0x1p-23f, false);
        sketch.add(0x1p-100f, false);
        // Three cells over a limit of 2 force coarsening; the two sides of 1/2 still separate.
        assertThat(sketch.cellCount()).isLessThanOrEqualTo(2);
        assertThat(sketch.auc()).isBetween(0.5, 1.0);
        RocSketch exact = new RocSketch();
        exact.add(1f - 0x1p-24f, true);
        exact.add(1f - 0x1p-23f, false);
        exact.add(0x1p-100f, false);
        assertThat(exact.auc()).isEqualTo(1.0);
    }

    @Test
    void addThenRemoveRestoresTheState() {
        Random random = new Random(11);
        RocSketch sketch = new RocSketch();
        for (int i = 0; i < 2_000; i++) {
            sketch.add(randomScore(random), random.nextInt(10) == 0);
        }
        byte[] before = sketch.toBytes();
        float[] scores = new float[700];
        boolean[] labels = new boolean[700];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = randomScore(random);
            labels[i] = random.nextInt(10) == 0;
            sketch.add(scores[i], labels[i]);
        }
        assertThat(sketch.toBytes()).isNotEqualTo(before);
        for (int i = scores.length - 1; i >= 0; i--) {
            sketch.remove(scores[i], labels[i]);
        }
        assertThat(sketch.toBytes()).isEqualTo(before);
    }

    @Test
    void removingWhatWasNotAddedFailsAndChangesNothing() {
        RocSketch sketch = tiedExample();
        byte[] before = sketch.toBytes();
        assertThatThrownBy(() -> sketch.remove(0.3f, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("positive record with score 0.3");
        assertThatThrownBy(() -> sketch.remove(0.31f, false)).isInstanceOf(IllegalStateException.class);
        assertThat(sketch.toBytes()).isEqualTo(before);
    }

    @Test
    void rejectsScoresOutsideZeroToOne() {
        RocSketch sketch = new RocSketch();
        assertThatThrownBy(() -> sketch.add(Float.NaN, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> sketch.add(1.0000001f, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sketch.add(-0.5f, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mergingTwoHalvesEqualsTheWhole() {
        for (int limit : new int[] {RocSketch.DEFAULT_CELL_LIMIT, 1_000}) {
            Random random = new Random(5);
            RocSketch whole = new RocSketch(limit);
            RocSketch first = new RocSketch(limit);
            RocSketch second = new RocSketch(limit);
            for (int i = 0; i < 20_000; i++) {
                float score = randomScore(random);
                boolean positive = random.nextInt(4) == 0;
                whole.add(score, positive);
                (i % 3 == 0 ? first : second).add(score, positive);
            }
            first.merge(second);
            assertThat(first.toBytes()).as("limit %d", limit).isEqualTo(whole.toBytes());
            assertThat(first.auc()).isEqualTo(whole.auc());
            assertThat(whole.isExact()).isEqualTo(limit == RocSketch.DEFAULT_CELL_LIMIT);
        }
    }

    @Test
    void mergingWithItselfDoublesEveryCount() {
        RocSketch sketch = tiedExample();
        sketch.merge(sketch);
        assertThat(sketch.positives()).isEqualTo(6);
        assertThat(sketch.negatives()).isEqualTo(4);
        assertThat(sketch.auc()).isCloseTo(5.0 / 6, within(1e-15));
    }

    /** Past 2^31 records per side the rank sum leaves a long; the AUC stays exact (128-bit arithmetic). */
    @Test
    void countsBeyondTwoBillionKeepTheAucExact() {
        RocSketch sketch = tiedExample();
        for (int i = 0; i < 33; i++) {
            sketch.merge(sketch);
        }
        assertThat(sketch.positives()).isEqualTo(3L << 33);
        assertThat(sketch.negatives()).isEqualTo(2L << 33);
        assertThat(sketch.auc()).isCloseTo(5.0 / 6, within(1e-15));
    }

    /** A report's summary is the AUC and the thinned curve, the same as asking for each alone. */
    @Test
    void summaryIsTheAucAndTheCurve() {
        Random random = new Random(5);
        RocSketch sketch = new RocSketch();
        for (int i = 0; i < 50_000; i++) {
            sketch.add(random.nextFloat(), random.nextInt(3) == 0);
        }
        RocSketch.Summary summary = sketch.summary(256);
        assertThat(summary.auc()).isEqualTo(sketch.auc());
        assertThat(summary.curve()).isEqualTo(sketch.curve(256));
        assertThat(new RocSketch().summary(256).auc()).isNaN();
    }

    /** Beyond the cell limit too, where cells are mixed and the curve carries an error bound above 0. */
    @Test
    void summaryOfACoarsenedSketchIsTheAucAndTheCurve() {
        Random random = new Random(6);
        RocSketch sketch = new RocSketch(1_000);
        for (int i = 0; i < 50_000; i++) {
            boolean positive = random.nextInt(3) == 0;
            sketch.add((float) (positive ? Math.sqrt(random.nextDouble()) : random.nextDouble()), positive);
        }
        assertThat(sketch.level()).isPositive();
        assertThat(sketch.aucErrorBound()).isPositive();

        RocSketch.Summary summary = sketch.summary(64);
        assertThat(summary.auc()).isEqualTo(sketch.auc());
        assertThat(summary.curve()).isEqualTo(sketch.curve(64));
        assertThat(summary.curve().aucErrorBound()).isEqualTo(sketch.aucErrorBound());
    }

    /**
     * A million softmax-like scores, well past the default limit: the sketch coarsens, holds at most
     * 100,000 cells, and its AUC stays within its reported bound of the exact AUC, computed here by
     * sorting all scores; the bound itself is below 1e-4.
     */
    @Test
    void beyondTheLimitTheAucStaysWithinTheReportedBound() {
        Random random = new Random(2026);
        int n = 1_000_000;
        float[] scores = new float[n];
        boolean[] positive = new boolean[n];
        RocSketch sketch = new RocSketch();
        int sizeAtHalf = 0;
        int maxCells = 0;
        for (int i = 0; i < n; i++) {
            positive[i] = random.nextInt(10) == 0;
            // Log-odds spread over about +-40: probabilities extremely close to 0 and to 1.
            scores[i] = (float) sigmoid(random.nextGaussian() * 12 + (positive[i] ? 2.0 : -2.0));
            sketch.add(scores[i], positive[i]);
            if (i == n / 2) {
                sizeAtHalf = sketch.sizeBytes();
            }
            maxCells = Math.max(maxCells, sketch.cellCount());
        }
        assertThat(maxCells).isLessThanOrEqualTo(RocSketch.DEFAULT_CELL_LIMIT);
        double exact = exactAuc(scores, positive);
        assertThat(sketch.isExact()).isFalse();
        assertThat(sketch.aucErrorBound()).isPositive().isLessThan(1e-4);
        assertThat(Math.abs(sketch.auc() - exact)).isLessThanOrEqualTo(sketch.aucErrorBound());
        // Bounded memory: the second half of the stream adds records, not cells; only a few counts
        // gain a varint byte, so the serialized size grows by well under 10 %.
        assertThat(sketch.sizeBytes()).isLessThan(sizeAtHalf + sizeAtHalf / 10);
        assertThat(sketch.sizeBytes()).isLessThan(RocSketch.DEFAULT_CELL_LIMIT * 12);
        System.out.printf("1e6 scores: level %d, %d cells, %d bytes, |error| %.3g, bound %.3g%n",
                sketch.level(), sketch.cellCount(), sketch.sizeBytes(), Math.abs(sketch.auc() - exact),
                sketch.aucErrorBound());
    }

    @Test
    void boundIsHonestWhenEveryScoreSharesOneCell() {
        // Limit 2 puts every score below 1/2 into one cell: the true AUC here is 1 (positives above
        // negatives) but the sketch sees one tie, AUC 1/2, and must report a bound of at least 1/2.
        RocSketch sketch = new RocSketch(2);
        float[] values = {0.01f, 0.02f, 0.03f, 0.04f};
        for (int i = 0; i < values.length; i++) {
            sketch.add(values[i], i >= 2);
        }
        sketch.add(0.9f, true);
        assertThat(sketch.cellCount()).isEqualTo(2);
        double exact = 1.0;
        assertThat(Math.abs(sketch.auc() - exact)).isLessThanOrEqualTo(sketch.aucErrorBound());
        assertThat(sketch.aucErrorBound()).isGreaterThan(0.3);
    }

    @Test
    void bytesRoundTripAndSizeIsExact() {
        for (int limit : new int[] {RocSketch.DEFAULT_CELL_LIMIT, 500}) {
            Random random = new Random(9);
            RocSketch sketch = new RocSketch(limit);
            for (int i = 0; i < 10_000; i++) {
                sketch.add(randomScore(random), random.nextBoolean());
            }
            byte[] bytes = sketch.toBytes();
            assertThat(bytes).hasSize(sketch.sizeBytes());
            RocSketch read = RocSketch.fromBytes(bytes);
            assertThat(read.toBytes()).isEqualTo(bytes);
            assertThat(read.auc()).isEqualTo(sketch.auc());
            assertThat(read.aucErrorBound()).isEqualTo(sketch.aucErrorBound());
            assertThat(read.level()).isEqualTo(sketch.level());
            assertThat(read.cellLimit()).isEqualTo(limit);
            // The state read back keeps working: it can remove what the original held.
            read.add(0.25f, true);
            read.remove(0.25f, true);
            assertThat(read.toBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void rejectsCorruptBytes() {
        byte[] bytes = tiedExample().toBytes();
        assertThatThrownBy(() -> RocSketch.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> RocSketch.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
        byte[] wrongFormat = bytes.clone();
        wrongFormat[0] = 9;
        assertThatThrownBy(() -> RocSketch.fromBytes(wrongFormat))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
    }

    // ---- independent references -----------------------------------------------------------------

    /** Mann-Whitney AUC by sorting every score: groups of equal scores count half. */
    static double exactAuc(float[] scores, boolean[] positive) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double u = 0;
        double negativesBelow = 0;
        double positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            double groupPositives = 0;
            double groupNegatives = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                if (positive[order[j]]) {
                    groupPositives++;
                } else {
                    groupNegatives++;
                }
                j++;
            }
            u += groupPositives * (negativesBelow + groupNegatives / 2);
            negativesBelow += groupNegatives;
            positives += groupPositives;
            i = j;
        }
        return u / (positives * negativesBelow);
    }

    static boolean fullCurveContainsInOrder(RocCurve full, RocCurve part) {
        int at = 0;
        for (int i = 0; i < part.size(); i++) {
            while (at < full.size() && !(full.fpr().get(at).equals(part.fpr().get(i))
                    && full.tpr().get(at).equals(part.tpr().get(i)))) {
                at++;
            }
            if (at == full.size()) {
                return false;
            }
        }
        return true;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static float randomScore(Random random) {
        return (float) sigmoid(random.nextGaussian() * 6);
    }

    @Test
    void listHelperSeesMissingPoints() {
        RocCurve full = new RocCurve(List.of(0.0, 0.5, 1.0), List.of(0.0, 0.5, 1.0), 0);
        assertThat(fullCurveContainsInOrder(full, new RocCurve(List.of(0.0, 1.0), List.of(0.0, 1.0), 0))).isTrue();
        assertThat(fullCurveContainsInOrder(full, new RocCurve(List.of(0.0, 0.7), List.of(0.0, 0.7), 0))).isFalse();
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RocCountsTest {

    @Test
    void allIsEveryPointAsRates() {
        RocCounts counts = new RocCounts(new long[] {0, 0, 1, 2}, new long[] {0, 1, 3, 3});
        RocCurve curve = counts.all(0.25);
        assertThat(curve.fpr()).containsExactly(0.0, 0.0, 0.5, 1.0);
        assertThat(curve.tpr()).containsExactly(0.0, 1.0 / 3, 1.0, 1.0);
        assertThat(curve.aucErrorBound()).isEqualTo(0.25);
    }

    @Test
    void thinningDropsPointsOnStraightSegments() {
        // (0,0) (0,1) (0,2) (1,3) (2,4) (4,4): (0,1) lies on (0,0)-(0,2), (1,3) on (0,2)-(2,4).
        RocCounts counts = new RocCounts(new long[] {0, 0, 0, 1, 2, 4}, new long[] {0, 1, 2, 3, 4, 4});
        RocCurve thin = counts.thinned(10, 0);
        assertThat(thin.fpr()).containsExactly(0.0, 0.0, 0.5, 1.0);
        assertThat(thin.tpr()).containsExactly(0.0, 0.5, 1.0, 1.0);
    }

    /** Over the limit the first vertex at or past each equal step of fpr + tpr is kept, with both ends. */
    @Test
    void thinningToFewPointsKeepsTheFirstVertexPastEachStep() {
        // A staircase: every point is a vertex; fpr + tpr = 0, .25, .5, .75, 1, 1.25, 1.5, 1.75, 2.
        RocCounts counts = new RocCounts(
                new long[] {0, 0, 1, 1, 2, 2, 3, 3, 4}, new long[] {0, 1, 1, 2, 2, 3, 3, 4, 4});
        RocCurve three = counts.thinned(3, 0);
        assertThat(three.fpr()).containsExactly(0.0, 0.5, 1.0);
        assertThat(three.tpr()).containsExactly(0.0, 0.5, 1.0);
        RocCurve two = counts.thinned(2, 0);
        assertThat(two.fpr()).containsExactly(0.0, 1.0);
        assertThat(two.tpr()).containsExactly(0.0, 1.0);
        assertThat(counts.thinned(9, 0)).isEqualTo(counts.all(0));
    }

    @Test
    void thinnedPointsAreAlwaysPointsOfTheFullCurveInOrder() {
        Random random = new Random(17);
        for (int round = 0; round < 50; round++) {
            int n = 1 + random.nextInt(2_000);
            long[] fps = new long[n + 1];
            long[] tps = new long[n + 1];
            for (int i = 1; i <= n; i++) {
                // Each cell holds at least one record; some steps repeat to make straight runs.
                long negatives = random.nextInt(3);
                long positives = negatives == 0 ? 1 + random.nextInt(2) : random.nextInt(3);
                fps[i] = fps[i - 1] + negatives;
                tps[i] = tps[i - 1] + positives;
            }
            if (fps[n] == 0 || tps[n] == 0) {
                continue;
            }
            RocCounts counts = new RocCounts(fps, tps);
            int maxPoints = 2 + random.nextInt(300);
            RocCurve thin = counts.thinned(maxPoints, 0);
            assertThat(thin.size()).isBetween(2, maxPoints);
            assertThat(thin.fpr().get(0)).isZero();
            assertThat(thin.tpr().get(0)).isZero();
            assertThat(thin.fpr().get(thin.size() - 1)).isEqualTo(1.0);
            assertThat(thin.tpr().get(thin.size() - 1)).isEqualTo(1.0);
            assertThat(RocSketchTest.fullCurveContainsInOrder(counts.all(0), thin)).isTrue();
        }
    }

    @Test
    void countsMustStartAtTheOriginAndPairUp() {
        assertThatThrownBy(() -> new RocCounts(new long[] {1, 2}, new long[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocCounts(new long[] {0, 1}, new long[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConfusionMatrixTest {

    private static final double EXACT = 1e-15;

    /**
     * Three records, three classes: (true 0, predicted 0), (true 1, predicted 0), (true 2, predicted 2).
     * <pre>
     *            predicted 0  1  2
     *   true 0            1  0  0
     *   true 1            1  0  0
     *   true 2            0  0  1
     * </pre>
     */
    private static ConfusionMatrix threeRecords() {
        return ConfusionMatrix.empty(3).plus(0, 0).plus(1, 0).plus(2, 2);
    }

    @Test
    void rowsAreTrueClassesAndColumnsArePredictions() {
        ConfusionMatrix m = threeRecords();
        // sklearn.metrics.confusion_matrix([0, 1, 2], [0, 0, 2]) == [[1,0,0],[1,0,0],[0,0,1]]
        assertThat(m.counts()).isEqualTo(new long[][] {{1, 0, 0}, {1, 0, 0}, {0, 0, 1}});
        assertThat(m.count(1, 0)).isEqualTo(1);
        assertThat(m.count(0, 1)).isZero();
        assertThat(m.support(0)).isEqualTo(1);   // row sum
        assertThat(m.predicted(0)).isEqualTo(2); // column sum
        assertThat(m.total()).isEqualTo(3);
    }

    @Test
    void perClassRatesUseZeroDivisionZero() {
        ConfusionMatrix m = threeRecords();
        // class 0: tp 1, predicted 2, support 1 -> precision 1/2, recall 1, f1 2*1/(1+2) = 2/3
        assertThat(m.precision(0)).isCloseTo(0.5, within(EXACT));
        assertThat(m.recall(0)).isCloseTo(1.0, within(EXACT));
        assertThat(m.f1(0)).isCloseTo(2.0 / 3, within(EXACT));
        // class 1: never predicted -> precision 0/0 := 0; support 1, tp 0 -> recall 0; f1 0/(1+0) = 0
        assertThat(m.precision(1)).isZero();
        assertThat(m.recall(1)).isZero();
        assertThat(m.f1(1)).isZero();
        // class 2: tp 1, predicted 1, support 1 -> 1, 1, 1
        assertThat(m.precision(2)).isEqualTo(1.0);
        assertThat(m.recall(2)).isEqualTo(1.0);
        assertThat(m.f1(2)).isEqualTo(1.0);
    }

    @Test
    void averagesFollowSklearn() {
        ConfusionMatrix m = threeRecords();
        // accuracy = (1 + 0 + 1) / 3; micro F1 over all labels equals it
        assertThat(m.accuracy()).isCloseTo(2.0 / 3, within(EXACT));
        assertThat(m.f1Micro()).isCloseTo(2.0 / 3, within(EXACT));
        // macro = (2/3 + 0 + 1) / 3 = 5/9; weighted = (2/3*1 + 0*1 + 1*1) / 3 = 5/9
        assertThat(m.f1Macro()).isCloseTo(5.0 / 9, within(EXACT));
        assertThat(m.f1Weighted()).isCloseTo(5.0 / 9, within(EXACT));
    }

    @Test
    void classAbsentFromTruthAndPredictionsStillCountsInTheMacroAverage() {
        // labels=range(3) with only classes 0 and 1 seen: f1 = [1, 1, 0] -> macro 2/3 (sklearn with
        // labels=[0,1,2] and zero_division=0; without labels= sklearn would average over 2 classes).
        ConfusionMatrix m = ConfusionMatrix.empty(3).plus(0, 0).plus(1, 1);
        assertThat(m.f1(2)).isZero();
        assertThat(m.f1Macro()).isCloseTo(2.0 / 3, within(EXACT));
        // weighted ignores it: (1*1 + 1*1 + 0*0) / 2 = 1
        assertThat(m.f1Weighted()).isEqualTo(1.0);
    }

    @Test
    void emptyMatrixHasNoAccuracyAndZeroF1s() {
        ConfusionMatrix m = ConfusionMatrix.empty(10);
        assertThat(m.accuracy()).isNaN();
        assertThat(m.f1Micro()).isZero();
        assertThat(m.f1Macro()).isZero();
        assertThat(m.f1Weighted()).isZero();
    }

    @Test
    void plusAndMinusAreCellWiseAndImmutable() {
        ConfusionMatrix a = threeRecords();
        ConfusionMatrix b = ConfusionMatrix.empty(3).plus(1, 1).plus(1, 0);
        ConfusionMatrix sum = a.plus(b);
        assertThat(sum.counts()).isEqualTo(new long[][] {{1, 0, 0}, {2, 1, 0}, {0, 0, 1}});
        assertThat(sum.minus(b)).isEqualTo(a);
        assertThat(a.total()).isEqualTo(3); // unchanged
        assertThatThrownBy(() -> a.minus(b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("true 1, predicted 1");
    }

    @Test
    void countsAreCopiedInAndOut() {
        long[][] counts = {{1, 2}, {3, 4}};
        ConfusionMatrix m = ConfusionMatrix.of(counts);
        counts[0][0] = 100;
        m.counts()[1][1] = 100;
        assertThat(m.count(0, 0)).isEqualTo(1);
        assertThat(m.count(1, 1)).isEqualTo(4);
    }

    @Test
    void rejectsMalformedCounts() {
        assertThatThrownBy(() -> ConfusionMatrix.of(new long[][] {{1, 2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("square");
        assertThatThrownBy(() -> ConfusionMatrix.of(new long[][] {{1, -2}, {3, 4}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> ConfusionMatrix.empty(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    }
}

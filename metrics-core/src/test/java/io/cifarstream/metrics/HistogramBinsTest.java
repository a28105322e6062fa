package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistogramBinsTest {

    @Test
    void theConfidenceEdgesAreTheDoublesNearestIOver15() {
        for (int i = 0; i <= 15; i++) {
            assertThat(HistogramBins.CONFIDENCE.edge(i)).isEqualTo(i / 15.0);
        }
        assertThat(HistogramBins.CHANNEL_STD.edge(20)).isEqualTo(0.5);
    }

    @Test
    void aBinHoldsItsUpperEdgeButNotItsLowerOne() {
        HistogramBins bins = HistogramBins.CONFIDENCE;
        for (int i = 1; i < 15; i++) {
            double edge = bins.edge(i);
            assertThat(bins.index(edge)).as("edge %d", i).isEqualTo(i - 1);
            assertThat(bins.index(Math.nextUp(edge))).as("just above edge %d", i).isEqualTo(i);
            assertThat(bins.index(Math.nextDown(edge))).as("just below edge %d", i).isEqualTo(i - 1);
        }
    }

    @Test
    void theEndsTakeEverythingBeyondThem() {
        HistogramBins bins = HistogramBins.CHANNEL_MEAN;
        assertThat(bins.index(0.0)).isZero();
        assertThat(bins.index(-3)).isZero();
        assertThat(bins.index(1.0)).isEqualTo(19);
        assertThat(bins.index(Double.POSITIVE_INFINITY)).isEqualTo(19);
        assertThatThrownBy(() -> bins.index(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HistogramBins(1, 1, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The chi-square test and the incomplete gamma function under it, against scipy (make_monitoring_fixture.py). */
class ChiSquareTest {

    @Test
    void incompleteGammaAndLogGammaMatchScipyToTwelveDigits() {
        for (JsonNode point : MonitoringFixture.json().get("incomplete_gamma")) {
            double a = point.get("a").asDouble();
            double x = point.get("x").asDouble();
            double q = point.get("q").asDouble();
            double p = point.get("p").asDouble();
            assertThat(IncompleteGamma.upper(a, x)).as("Q(%s, %s)", a, x).isCloseTo(q, within(1e-12 * q + 1e-300));
            assertThat(IncompleteGamma.lower(a, x)).as("P(%s, %s)", a, x).isCloseTo(p, within(1e-12 * p + 1e-300));
            double logGamma = point.get("log_gamma").asDouble();
            assertThat(IncompleteGamma.logGamma(a)).as("ln Γ(%s)", a)
                    .isCloseTo(logGamma, within(1e-14 * Math.max(1, Math.abs(logGamma))));
        }
    }

    @Test
    void tailProbabilitiesAreScipysChi2SfDownToTheSmallestDoubles() {
        for (JsonNode point : MonitoringFixture.json().get("chi_square_tail")) {
            int df = point.get("df").asInt();
            double x = point.get("x").asDouble();
            double sf = point.get("sf").asDouble();
            assertThat(ChiSquare.survival(x, df)).as("chi2.sf(%s, %d)", x, df).isCloseTo(sf, within(1e-12 * sf + 1e-300));
        }
    }

    @Test
    void criticalValuesAreScipysChi2Isf() {
        for (JsonNode point : MonitoringFixture.json().get("chi_square_critical")) {
            int df = point.get("df").asInt();
            double isf = point.get("isf").asDouble();
            assertThat(ChiSquare.criticalValue(point.get("alpha").asDouble(), df)).as("df %d", df)
                    .isCloseTo(isf, within(1e-12 * isf));
        }
    }

    @Test
    void goodnessOfFitIsScipysChisquareWithExpectedSharesScaledToTheObservedTotal() {
        JsonNode point = MonitoringFixture.json().get("chi_square_goodness_of_fit");
        ChiSquare test = ChiSquare.goodnessOfFit(longs(point.get("observed")), doubles(point.get("expected_shares")));
        assertThat(test.statistic()).isCloseTo(point.get("statistic").asDouble(), within(1e-12));
        assertThat(test.pValue()).isCloseTo(point.get("p_value").asDouble(), within(1e-15));
        assertThat(test.degreesOfFreedom()).isEqualTo(3);
    }

    /**
     * 100 records over 4 classes, expected shares 1/4 each: statistic = sum (o - 25)^2 / 25
     * = (25 + 0 + 25 + 0) / 25 = 2 for o = [30, 25, 20, 25]; p = chi2.sf(2, 3) = 0.5724067.
     */
    @Test
    void byHand() {
        ChiSquare test = ChiSquare.goodnessOfFit(new long[] {30, 25, 20, 25}, new double[] {1, 1, 1, 1});
        assertThat(test.statistic()).isCloseTo(2.0, within(1e-15));
        assertThat(test.pValue()).isCloseTo(0.5724067044708798, within(1e-15));
    }

    @Test
    void categoriesExpectedNeverAreLeftOutUnlessObserved() {
        // Class 2 expected never and never seen: a 2-category test.
        ChiSquare without = ChiSquare.goodnessOfFit(new long[] {60, 40, 0}, new double[] {0.5, 0.5, 0});
        assertThat(without.degreesOfFreedom()).isEqualTo(1);
        assertThat(without.statistic()).isCloseTo(4.0, within(1e-15));
        // Seen although never expected: infinitely unlikely.
        ChiSquare seen = ChiSquare.goodnessOfFit(new long[] {60, 39, 1}, new double[] {0.5, 0.5, 0});
        assertThat(seen.statistic()).isInfinite();
        assertThat(seen.pValue()).isZero();
    }

    @Test
    void nothingObservedIsUndefined() {
        ChiSquare empty = ChiSquare.goodnessOfFit(new long[3], new double[] {1, 2, 3});
        assertThat(empty.pValue()).isNaN();
        assertThatThrownBy(() -> ChiSquare.goodnessOfFit(new long[] {1, 2}, new double[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all 0");
        assertThatThrownBy(() -> ChiSquare.goodnessOfFit(new long[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}

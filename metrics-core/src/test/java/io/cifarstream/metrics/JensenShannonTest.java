package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JensenShannonTest {

    @Test
    void isScipysJensenshannonWithNaturalLogs() {
        for (JsonNode point : MonitoringFixture.json().get("jensen_shannon")) {
            double[] p = doubles(point.get("p"));
            double[] q = doubles(point.get("q"));
            assertThat(JensenShannon.distance(p, q)).as("%s vs %s", point.get("p"), point.get("q"))
                    .isCloseTo(point.get("distance").asDouble(), within(1e-15));
        }
    }

    @Test
    void isZeroForProportionalWeightsAndSqrtLn2ForDisjointOnes() {
        assertThat(JensenShannon.distance(new long[] {1, 2, 3}, new long[] {10, 20, 30})).isCloseTo(0, within(1e-8));
        assertThat(JensenShannon.distance(new long[] {5, 0}, new long[] {0, 7}))
                .isCloseTo(JensenShannon.MAX_DISTANCE, within(1e-15));
        assertThat(JensenShannon.MAX_DISTANCE).isCloseTo(0.8325546111576977, within(1e-15));
    }

    @Test
    void isSymmetricAndUndefinedForAnEmptySide() {
        double[] p = {3, 1, 4, 1, 5};
        double[] q = {2, 7, 1, 8, 2};
        assertThat(JensenShannon.distance(p, q)).isEqualTo(JensenShannon.distance(q, p));
        assertThat(JensenShannon.distance(new long[] {0, 0}, new long[] {1, 1})).isNaN();
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}

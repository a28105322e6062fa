package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole report against scikit-learn 1.2 on 5,000 ten-class records with exact ties, -inf
 * log-probs and probabilities next to 0 and 1. Inputs and sklearn's outputs come from
 * {@code src/test/python/make_fixture.py} (its header says how to regenerate the fixture); counts
 * must be identical, floats equal to 1e-9.
 */
class SklearnParityTest {

    private static final double TOLERANCE = 1e-9;

    private static JsonNode expected;
    private static int[] labels;
    private static float[][] logProbs;
    private static ClassificationAccumulator accumulator;
    private static ClassificationReport report;

    @BeforeAll
    static void computeTheReport() throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        JsonNode fixture;
        try (InputStream in = SklearnParityTest.class.getResourceAsStream("sklearn-fixture.json")) {
            assertThat(in).as("sklearn-fixture.json on the test classpath").isNotNull();
            fixture = mapper.readTree(in);
        }
        expected = fixture.get("expected");
        int n = fixture.get("labels").size();
        int classes = fixture.get("num_classes").asInt();
        labels = new int[n];
        logProbs = new float[n][classes];
        accumulator = new ClassificationAccumulator(classes);
        for (int i = 0; i < n; i++) {
            labels[i] = fixture.get("labels").get(i).asInt();
            for (int k = 0; k < classes; k++) {
                // Shortest decimal of a float32, parsed straight to float: one rounding, the same value.
                logProbs[i][k] = Float.parseFloat(fixture.get("log_probs").get(i).get(k).asText());
            }
            accumulator.add(labels[i], logProbs[i]);
        }
        report = accumulator.snapshot();
    }

    @Test
    void derivesTheSameFloat32ProbabilitiesBitForBit() {
        for (int k = 0; k < 10; k++) {
            long bits = 0;
            for (float[] row : logProbs) {
                bits += Float.floatToRawIntBits(ClassificationAccumulator.score(row[k]));
            }
            assertThat(bits).as("class %d", k).isEqualTo(expected.get("prob_bits_sum").get(k).asLong());
        }
    }

    @Test
    void countsAreIdentical() {
        assertThat(report.count()).isEqualTo(expected.get("count").asLong());
        long[][] confusion = report.confusion().counts();
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) {
                assertThat(confusion[t][p]).as("true %d, predicted %d", t, p)
                        .isEqualTo(expected.get("confusion").get(t).get(p).asLong());
            }
        }
    }

    @Test
    void aggregateScoresMatch() {
        assertThat(report.accuracy()).isCloseTo(expected.get("accuracy").asDouble(), within(TOLERANCE));
        assertThat(report.f1Micro()).isCloseTo(expected.get("f1_micro").asDouble(), within(TOLERANCE));
        assertThat(report.f1Macro()).isCloseTo(expected.get("f1_macro").asDouble(), within(TOLERANCE));
        assertThat(report.f1Weighted()).isCloseTo(expected.get("f1_weighted").asDouble(), within(TOLERANCE));
        assertThat(report.logLoss()).isCloseTo(expected.get("log_loss").asDouble(), within(TOLERANCE));
    }

    @Test
    void perClassScoresMatch() {
        for (int k = 0; k < 10; k++) {
            assertThat(report.precision().get(k)).as("precision %d", k)
                    .isCloseTo(expected.get("precision").get(k).asDouble(), within(TOLERANCE));
            assertThat(report.recall().get(k)).as("recall %d", k)
                    .isCloseTo(expected.get("recall").get(k).asDouble(), within(TOLERANCE));
            assertThat(report.f1().get(k)).as("f1 %d", k)
                    .isCloseTo(expected.get("f1").get(k).asDouble(), within(TOLERANCE));
            assertThat(report.auc().get(k)).as("auc %d", k)
                    .isCloseTo(expected.get("auc").get(k).asDouble(), within(TOLERANCE));
        }
        double meanAuc = 0;
        for (int k = 0; k < 10; k++) {
            meanAuc += expected.get("auc").get(k).asDouble() / 10;
        }
        assertThat(report.aucMacro()).isCloseTo(meanAuc, within(TOLERANCE));
    }

    @Test
    void rocCurvesAreSklearnsPoints() {
        JsonNode curves = expected.get("roc");
        for (int k = 0; k < curves.size(); k++) {
            JsonNode sk = curves.get(k);
            RocCurve full = accumulator.roc(k).curve();
            // drop_intermediate=False: one point per distinct float32 score, plus (0, 0).
            assertThat(full.size()).as("class %d", k).isEqualTo(sk.get("full_length").asInt());
            assertThat(accumulator.roc(k).cellCount()).isEqualTo(sk.get("distinct_scores").asInt());
            // sklearn's default (drop_intermediate=True) keeps a subset of those points, bit for bit.
            RocCurve dropped = new RocCurve(doubles(sk.get("fpr")), doubles(sk.get("tpr")), 0);
            assertThat(RocSketchTest.fullCurveContainsInOrder(full, dropped)).as("class %d", k).isTrue();
            // The report's thinned curve: exact points of the full curve, at most the default count.
            RocCurve thin = report.roc().get(k);
            assertThat(thin.size()).isLessThanOrEqualTo(ClassificationAccumulator.DEFAULT_ROC_POINTS);
            assertThat(RocSketchTest.fullCurveContainsInOrder(full, thin)).isTrue();
            assertThat(thin.aucErrorBound()).isZero();
        }
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asDouble()));
        return out;
    }
}

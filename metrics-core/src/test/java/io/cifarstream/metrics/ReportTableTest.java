package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportTableTest {

    @Test
    void rendersConfusionSummaryAndPerClassTable() {
        ClassificationAccumulator acc = new ClassificationAccumulator(3);
        acc.add(0, logProbs(0.7, 0.2, 0.1));
        acc.add(1, logProbs(0.5, 0.2, 0.3));
        acc.add(2, logProbs(0.2, 0.2, 0.6));
        String text = new ReportTable(List.of("cat", "dog", "airplane")).render(acc.snapshot());
        assertThat(text).isEqualTo(String.join("\n",
                "confusion matrix (rows = true class, columns = predicted class)",
                "true \\ predicted  cat  dog  airplane",
                "cat                 1    0         0",
                "dog                 1    0         0",
                "airplane            0    0         1",
                "",
                "count             3",
                "accuracy     0.6667",
                "F1 micro     0.6667",
                "F1 macro     0.5556",
                "F1 weighted  0.5556",
                "AUC macro    0.8333",
                "log loss     0.8256",
                "",
                "class     precision  recall      F1     AUC  support",
                "cat          0.5000  1.0000  0.6667  1.0000        1",
                "dog          0.0000  0.0000  0.0000  0.5000        1",
                "airplane     1.0000  1.0000  1.0000  1.0000        1",
                ""));
    }

    @Test
    void undefinedValuesPrintAsNotAvailable() {
        String text = new ReportTable(List.of("a", "b")).render(new ClassificationAccumulator(2).snapshot());
        assertThat(text).containsPattern("\naccuracy +n/a\n").containsPattern("\nlog loss +n/a\n")
                .containsPattern("\na +0\\.0000 +0\\.0000 +0\\.0000 +n/a +0\n");
    }

    @Test
    void classNamesMustMatchTheReport() {
        ReportTable table = new ReportTable(List.of("a", "b"));
        assertThatThrownBy(() -> table.render(new ClassificationAccumulator(3).snapshot()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 classes but 2 class names");
    }

    private static float[] logProbs(double... p) {
        float[] out = new float[p.length];
        for (int k = 0; k < p.length; k++) {
            out[k] = (float) Math.log(p[k]);
        }
        return out;
    }
}

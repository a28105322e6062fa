package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClassificationReportJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    /** Two records of classes 0 and 1 among 3: class 2's AUC is undefined. */
    private static ClassificationReport reportWithUndefinedAuc() {
        ClassificationAccumulator acc = new ClassificationAccumulator(3);
        acc.add(0, new float[] {(float) Math.log(0.6), (float) Math.log(0.3), (float) Math.log(0.1)});
        acc.add(1, new float[] {(float) Math.log(0.3), (float) Math.log(0.6), (float) Math.log(0.1)});
        return acc.snapshot();
    }

    @Test
    void fieldNamesAreExactlyTheSharedOnesInOrder() throws Exception {
        JsonNode json = mapper.readTree(mapper.writeValueAsString(reportWithUndefinedAuc()));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("count", "accuracy", "f1_micro", "f1_macro", "f1_weighted", "confusion",
                "precision", "recall", "f1", "auc", "auc_macro", "log_loss", "roc");
        List<String> rocNames = new ArrayList<>();
        json.get("roc").get(0).fieldNames().forEachRemaining(rocNames::add);
        assertThat(rocNames).containsExactly("fpr", "tpr", "auc_error_bound");
    }

    @Test
    void confusionIsWrittenRowsFirstAsTrueClasses() throws Exception {
        JsonNode json = mapper.readTree(mapper.writeValueAsString(reportWithUndefinedAuc()));
        assertThat(json.get("confusion").toString()).isEqualTo("[[1,0,0],[0,1,0],[0,0,0]]");
    }

    @Test
    void nanIsWrittenAsNullAndReadBackAsNaN() throws Exception {
        ClassificationReport report = reportWithUndefinedAuc();
        String text = mapper.writeValueAsString(report);
        JsonNode json = mapper.readTree(text);
        assertThat(json.get("auc").get(2).isNull()).isTrue();
        assertThat(json.get("roc").get(2).get("auc_error_bound").isNull()).isTrue();
        assertThat(text).doesNotContain("NaN");

        ClassificationReport read = mapper.readValue(text, ClassificationReport.class);
        assertThat(read.auc().get(2)).isNaN();
        assertThat(read).isEqualTo(report);
    }

    @Test
    void emptyReportRoundTripsWithNullAccuracyAndLogLoss() throws Exception {
        ClassificationReport empty = new ClassificationAccumulator(10).snapshot();
        String text = mapper.writeValueAsString(empty);
        JsonNode json = mapper.readTree(text);
        assertThat(json.get("accuracy").isNull()).isTrue();
        assertThat(json.get("log_loss").isNull()).isTrue();
        assertThat(json.get("auc_macro").isNull()).isTrue();
        ClassificationReport read = mapper.readValue(text, ClassificationReport.class);
        assertThat(read.accuracy()).isNaN();
        assertThat(read.logLoss()).isNaN();
        assertThat(read).isEqualTo(empty);
    }
}

package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's quality estimated from its calibrated predictions alone, before any label: an immutable value
 * (JSON names in {@link MonitoringFields}). Each prediction's probabilities {@code p} are
 * {@code softmax(l / T)} with the {@link Calibration}'s temperature; its confidence is {@code max_k p_k}.
 *
 * <ul>
 *   <li>{@code count}: predictions in view;</li>
 *   <li>{@code estimated_accuracy_ac}: average confidence (AC; the idea of NannyML's CBPE): the expected
 *       accuracy if the calibrated confidences are right, i.e. if the model is as well calibrated on this
 *       data as on the reference. Wrong when calibration does not transfer: under a shift the model is
 *       usually over-confident and AC too high;</li>
 *   <li>{@code estimated_accuracy_atc}: ATC (Garg et al. 2022) with the confidence as its score: the share of
 *       predictions whose confidence is above the reference threshold t. Assumes a shift moves confidences and
 *       correctness together, preserving the reference's ranking; wrong when a shift squeezes all confidences
 *       (e.g. low contrast) so that few pass t whatever the accuracy;</li>
 *   <li>{@code estimated_accuracy_atc_ne}: ATC with the negative entropy {@code sum_k p_k ln p_k} as its score
 *       (ATC-NE, the variant Garg et al. recommend): the share of predictions whose negative entropy is above
 *       the reference's entropy threshold. The entropy sees the whole distribution, not just its top: a shift
 *       that leaves the top class confident but spreads the rest lowers it. Same assumption and failure as
 *       ATC;</li>
 *   <li>{@code estimated_accuracy}: the project's estimate, {@code min(AC, ATC-NE)}. Under most shifts a model is
 *       over-confident and every estimate fails high, so the lower of the two is the better bet; ATC-NE is the
 *       lower almost always, and AC caps it where a model grows less sure than on its reference. Chosen on
 *       the demo model's held-out training images under CIFAR-10-C corruptions; how, and where it is wrong by
 *       how much (a weak model under low contrast: 14 points too low), is in docs/metrics.md;</li>
 *   <li>{@code estimated_confusion}: the expected confusion matrix, rows = true class, columns = predicted:
 *       a prediction of class j adds {@code p_i} to cell (i, j). Each column sums to the predictions of
 *       that class, and its diagonal sums to AC times count;</li>
 *   <li>{@code estimated_f1}, {@code estimated_f1_macro}: per class {@code 2 E_kk / (row_k + column_k)} of
 *       that matrix (0 when both are 0), and their mean: sklearn's F1 on expected counts. Assumes each
 *       class's probabilities are calibrated, which one temperature does not make so.</li>
 * </ul>
 * Every value is NaN (JSON null) for an empty view.
 */
@JsonPropertyOrder({MonitoringFields.COUNT, MonitoringFields.ESTIMATED_ACCURACY, MonitoringFields.ESTIMATED_ACCURACY_AC,
        MonitoringFields.ESTIMATED_ACCURACY_ATC, MonitoringFields.ESTIMATED_ACCURACY_ATC_NE,
        MonitoringFields.ESTIMATED_F1_MACRO, MonitoringFields.ESTIMATED_F1, MonitoringFields.ESTIMATED_CONFUSION})
public record ConfidenceEstimate(
        @JsonProperty(MonitoringFields.COUNT) long count,
        @JsonProperty(MonitoringFields.ESTIMATED_ACCURACY)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double estimatedAccuracy,
        @JsonProperty(MonitoringFields.ESTIMATED_ACCURACY_AC)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double estimatedAccuracyAc,
        @JsonProperty(MonitoringFields.ESTIMATED_ACCURACY_ATC)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double estimatedAccuracyAtc,
        @JsonProperty(MonitoringFields.ESTIMATED_ACCURACY_ATC_NE)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double estimatedAccuracyAtcNe,
        @JsonProperty(MonitoringFields.ESTIMATED_F1_MACRO)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double estimatedF1Macro,
        @JsonProperty(MonitoringFields.ESTIMATED_F1)
        @JsonSerialize(contentUsing = NanAsNull.Writer.class) @JsonDeserialize(contentUsing = NanAsNull.Reader.class)
        List<Double> estimatedF1,
        @JsonProperty(MonitoringFields.ESTIMATED_CONFUSION) List<List<Double>> estimatedConfusion) {

    public ConfidenceEstimate {
        estimatedF1 = List.copyOf(estimatedF1);
        estimatedConfusion = estimatedConfusion.stream().map(List::copyOf).toList();
        int n = estimatedF1.size();
        if (estimatedConfusion.size() != n || estimatedConfusion.stream().anyMatch(r -> r.size() != n)) {
            throw new IllegalArgumentException("the estimated confusion must be " + n + " x " + n
                    + " (one row and column per class of estimated_f1)");
        }
    }

    /**
     * The estimates from the state's sums.
     *
     * @param aboveThreshold        predictions whose confidence is above the ATC threshold
     * @param aboveEntropyThreshold predictions whose negative entropy is above the ATC entropy threshold
     * @param confusion             the expected confusion matrix, rows = true class
     */
    static ConfidenceEstimate of(long count, long aboveThreshold, long aboveEntropyThreshold, double[][] confusion) {
        int n = confusion.length;
        double trace = 0;
        List<List<Double>> cells = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            trace += confusion[t][t];
            List<Double> row = new ArrayList<>(n);
            for (double cell : confusion[t]) {
                row.add(cell);
            }
            cells.add(row);
        }
        List<Double> f1 = new ArrayList<>(n);
        double f1Sum = 0;
        for (int k = 0; k < n; k++) {
            double support = 0;
            double predicted = 0;
            for (int j = 0; j < n; j++) {
                support += confusion[k][j];
                predicted += confusion[j][k];
            }
            double f1k = count == 0 ? Double.NaN : support + predicted == 0 ? 0 : 2 * confusion[k][k] / (support + predicted);
            f1.add(f1k);
            f1Sum += f1k;
        }
        double ac = count == 0 ? Double.NaN : trace / count;
        double atc = count == 0 ? Double.NaN : (double) aboveThreshold / count;
        double atcNe = count == 0 ? Double.NaN : (double) aboveEntropyThreshold / count;
        return new ConfidenceEstimate(count, Math.min(ac, atcNe), ac, atc, atcNe, f1Sum / n, f1, cells);
    }

    public int numClasses() {
        return estimatedF1.size();
    }
}

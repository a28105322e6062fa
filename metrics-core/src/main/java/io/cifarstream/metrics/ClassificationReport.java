package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.ArrayList;
import java.util.List;

/**
 * The metrics of one view of classified records, an immutable value; its JSON form (Jackson, names
 * in {@link ReportFields}) is what {@code evaluate --json} prints and the streaming HTTP API serves.
 *
 * <p>Definitions (sklearn's, over the fixed label set 0..n-1 with {@code zero_division=0}; see
 * {@link ConfusionMatrix} and {@link RocSketch} for the details):
 * <ul>
 *   <li>{@code count}: records in view;</li>
 *   <li>{@code accuracy}: {@code accuracy_score}; NaN when count is 0;</li>
 *   <li>{@code f1_micro}, {@code f1_macro}, {@code f1_weighted}: {@code f1_score(average=...)};</li>
 *   <li>{@code confusion}: {@code confusion_matrix}, rows = TRUE class, columns = PREDICTED;</li>
 *   <li>{@code precision}, {@code recall}, {@code f1}: per class, {@code average=None};</li>
 *   <li>{@code auc}: per class, {@code roc_auc_score(y == k, p_k)} on the float32 probabilities
 *       {@code (float) exp(logProb_k)}; NaN where the view lacks positives or negatives of k (sklearn
 *       raises there);</li>
 *   <li>{@code auc_macro}: the mean of {@code auc} over the classes where it is defined (classes with
 *       NaN are skipped, not counted as 0); NaN when no class has one;</li>
 *   <li>{@code log_loss}: {@code log_loss(y, P)}: the mean over records of
 *       {@code -ln(p_true / sum_j p_j)}, see {@link ClassificationAccumulator}; NaN when count is 0;</li>
 *   <li>{@code roc}: per class, up to a fixed number of exact vertices of the ROC curve, with the
 *       AUC's error bound (0 while exact).</li>
 * </ul>
 * NaN is written to JSON as {@code null} and read back as NaN.
 */
@JsonPropertyOrder({ReportFields.COUNT, ReportFields.ACCURACY, ReportFields.F1_MICRO, ReportFields.F1_MACRO,
        ReportFields.F1_WEIGHTED, ReportFields.CONFUSION, ReportFields.PRECISION, ReportFields.RECALL,
        ReportFields.F1, ReportFields.AUC, ReportFields.AUC_MACRO, ReportFields.LOG_LOSS, ReportFields.ROC})
public record ClassificationReport(
        @JsonProperty(ReportFields.COUNT) long count,
        @JsonProperty(ReportFields.ACCURACY)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double accuracy,
        @JsonProperty(ReportFields.F1_MICRO) double f1Micro,
        @JsonProperty(ReportFields.F1_MACRO) double f1Macro,
        @JsonProperty(ReportFields.F1_WEIGHTED) double f1Weighted,
        @JsonProperty(ReportFields.CONFUSION) ConfusionMatrix confusion,
        @JsonProperty(ReportFields.PRECISION) List<Double> precision,
        @JsonProperty(ReportFields.RECALL) List<Double> recall,
        @JsonProperty(ReportFields.F1) List<Double> f1,
        @JsonProperty(ReportFields.AUC)
        @JsonSerialize(contentUsing = NanAsNull.Writer.class) @JsonDeserialize(contentUsing = NanAsNull.Reader.class)
        List<Double> auc,
        @JsonProperty(ReportFields.AUC_MACRO)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double aucMacro,
        @JsonProperty(ReportFields.LOG_LOSS)
        @JsonSerialize(using = NanAsNull.Writer.class) @JsonDeserialize(using = NanAsNull.Reader.class)
        double logLoss,
        @JsonProperty(ReportFields.ROC) List<RocCurve> roc) {

    /** Copies the lists and checks that every per-class list has one entry per class. */
    public ClassificationReport {
        precision = List.copyOf(precision);
        recall = List.copyOf(recall);
        f1 = List.copyOf(f1);
        auc = List.copyOf(auc);
        roc = List.copyOf(roc);
        int n = confusion.numClasses();
        for (List<?> perClass : List.of(precision, recall, f1, auc, roc)) {
            if (perClass.size() != n) {
                throw new IllegalArgumentException("every per-class list needs " + n
                        + " entries (one per class of the confusion matrix), got " + perClass.size());
            }
        }
    }

    /**
     * The report of a view from its parts: everything but the AUCs, the curves and the log-loss
     * derives from the confusion matrix.
     *
     * @param logLoss mean negative log-likelihood, NaN for an empty view
     * @param rocs    one sketch per class, in class order
     * @param rocPoints the most points per ROC curve (see {@link RocSketch#curve(int)})
     */
    public static ClassificationReport of(ConfusionMatrix confusion, double logLoss, List<RocSketch> rocs,
            int rocPoints) {
        int n = confusion.numClasses();
        if (rocs.size() != n) {
            throw new IllegalArgumentException("need one RocSketch per class: " + n + " classes, " + rocs.size()
                    + " sketches");
        }
        List<Double> precision = new ArrayList<>(n);
        List<Double> recall = new ArrayList<>(n);
        List<Double> f1 = new ArrayList<>(n);
        List<Double> auc = new ArrayList<>(n);
        List<RocCurve> roc = new ArrayList<>(n);
        double aucSum = 0;
        int aucDefined = 0;
        for (int k = 0; k < n; k++) {
            precision.add(confusion.precision(k));
            recall.add(confusion.recall(k));
            f1.add(confusion.f1(k));
            RocSketch.Summary summary = rocs.get(k).summary(rocPoints);
            double classAuc = summary.auc();
            auc.add(classAuc);
            if (!Double.isNaN(classAuc)) {
                aucSum += classAuc;
                aucDefined++;
            }
            roc.add(summary.curve());
        }
        return new ClassificationReport(confusion.total(), confusion.accuracy(), confusion.f1Micro(),
                confusion.f1Macro(), confusion.f1Weighted(), confusion, precision, recall, f1, auc,
                aucDefined == 0 ? Double.NaN : aucSum / aucDefined, logLoss, roc);
    }

    public int numClasses() {
        return confusion.numClasses();
    }

    /** Records of true class k (the confusion matrix's row sum). */
    public long support(int k) {
        return confusion.support(k);
    }
}

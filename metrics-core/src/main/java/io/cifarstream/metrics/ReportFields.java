package io.cifarstream.metrics;

/**
 * The JSON field names of a {@link ClassificationReport}, shared by the offline {@code evaluate --json}
 * and the streaming HTTP API; the report's Jackson annotations use these constants and nothing else
 * spells the names.
 */
public final class ReportFields {

    public static final String COUNT = "count";
    public static final String ACCURACY = "accuracy";
    public static final String F1_MICRO = "f1_micro";
    public static final String F1_MACRO = "f1_macro";
    public static final String F1_WEIGHTED = "f1_weighted";
    public static final String CONFUSION = "confusion";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String F1 = "f1";
    public static final String AUC = "auc";
    public static final String AUC_MACRO = "auc_macro";
    public static final String LOG_LOSS = "log_loss";
    public static final String ROC = "roc";

    /** Inside each element of {@link #ROC}. */
    public static final String ROC_FPR = "fpr";
    public static final String ROC_TPR = "tpr";
    public static final String ROC_AUC_ERROR_BOUND = "auc_error_bound";

    private ReportFields() {
    }
}

package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/**
 * An immutable {@code n x n} confusion matrix: {@code count(t, p)} is the number of records whose TRUE
 * class is {@code t} (row) and whose PREDICTED class is {@code p} (column), the orientation of
 * {@code sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(n))}. Some Java libraries
 * transpose it; this one does not.
 *
 * <p>Derived metrics, with sklearn's definitions over the fixed label set {@code 0..n-1} (as with
 * {@code labels=list(range(n))}, so a class absent from both truth and predictions still counts in
 * the macro average) and {@code zero_division=0}:
 * <ul>
 *   <li>{@code tp(k) = count(k, k)}, {@code support(k)} = row sum, {@code predicted(k)} = column sum;</li>
 *   <li>{@code precision(k) = tp / predicted(k)}, 0 when no record was predicted as k;</li>
 *   <li>{@code recall(k) = tp / support(k)}, 0 when class k has no record;</li>
 *   <li>{@code f1(k) = 2 tp / (support(k) + predicted(k))}, the harmonic mean of precision and recall
 *       written in counts (one rounding), 0 when both are 0;</li>
 *   <li>{@code accuracy = sum_k tp(k) / total}, NaN for an empty matrix (as sklearn's mean of nothing);</li>
 *   <li>{@code f1Micro = 2 sum tp / (sum support + sum predicted)}, equal to accuracy when every record
 *       is in the label set (always here), 0 for an empty matrix;</li>
 *   <li>{@code f1Macro} = unweighted mean of {@code f1(k)} over all n classes;</li>
 *   <li>{@code f1Weighted = sum_k f1(k) support(k) / total}, 0 for an empty matrix (sklearn's
 *       zero_division=0 branch).</li>
 * </ul>
 */
public final class ConfusionMatrix {

    private final long[][] counts;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
    }

    /** A matrix of zeros for {@code numClasses} classes (at least 2). */
    public static ConfusionMatrix empty(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classification needs at least 2 classes, got " + numClasses);
        }
        return new ConfusionMatrix(new long[numClasses][numClasses]);
    }

    /**
     * A matrix holding a copy of {@code counts}, rows = true class, columns = predicted class.
     *
     * @throws IllegalArgumentException if the array is not square with at least 2 rows, or has a
     *         negative count
     */
    @JsonCreator
    public static ConfusionMatrix of(long[][] counts) {
        int n = counts.length;
        if (n < 2) {
            throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + n);
        }
        long[][] copy = new long[n][];
        for (int t = 0; t < n; t++) {
            if (counts[t] == null || counts[t].length != n) {
                throw new IllegalArgumentException("confusion matrix row " + t + " must have " + n
                        + " columns (the matrix is square: rows = true class, columns = predicted)");
            }
            copy[t] = counts[t].clone();
            for (int p = 0; p < n; p++) {
                if (copy[t][p] < 0) {
                    throw new IllegalArgumentException("negative count " + copy[t][p] + " at true " + t
                            + ", predicted " + p);
                }
            }
        }
        return new ConfusionMatrix(copy);
    }

    public int numClasses() {
        return counts.length;
    }

    /** Records with true class {@code trueClass} predicted as {@code predictedClass}. */
    public long count(int trueClass, int predictedClass) {
        return counts[trueClass][predictedClass];
    }

    /** A copy of the counts, rows = true class; this is also the JSON form. */
    @JsonValue
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int t = 0; t < counts.length; t++) {
            copy[t] = counts[t].clone();
        }
        return copy;
    }

    /** This matrix with one more record of true class {@code trueClass} predicted as {@code predictedClass}. */
    public ConfusionMatrix plus(int trueClass, int predictedClass) {
        long[][] next = counts();
        next[trueClass][predictedClass] = Math.addExact(next[trueClass][predictedClass], 1);
        return new ConfusionMatrix(next);
    }

    /** The cell-wise sum, the matrix of the union of both record sets. */
    public ConfusionMatrix plus(ConfusionMatrix other) {
        return combine(other, 1);
    }

    /**
     * The cell-wise difference, the matrix of this record set without {@code other}'s records.
     *
     * @throws IllegalArgumentException if a cell would go negative, i.e. {@code other} holds records
     *         this matrix does not
     */
    public ConfusionMatrix minus(ConfusionMatrix other) {
        return combine(other, -1);
    }

    private ConfusionMatrix combine(ConfusionMatrix other, int sign) {
        int n = counts.length;
        if (other.numClasses() != n) {
            throw new IllegalArgumentException("cannot combine a " + n + "-class matrix with a "
                    + other.numClasses() + "-class matrix");
        }
        long[][] next = new long[n][n];
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                long value = Math.addExact(counts[t][p], sign * other.counts[t][p]);
                if (value < 0) {
                    throw new IllegalArgumentException("subtracting more records than present at true " + t
                            + ", predicted " + p + ": " + counts[t][p] + " - " + other.counts[t][p]);
                }
                next[t][p] = value;
            }
        }
        return new ConfusionMatrix(next);
    }

    /** The number of records. */
    public long total() {
        long total = 0;
        for (long[] row : counts) {
            for (long c : row) {
                total += c;
            }
        }
        return total;
    }

    /** True positives of class k: the diagonal cell. */
    public long truePositives(int k) {
        return counts[k][k];
    }

    /** Records whose true class is k (row sum); sklearn's "support". */
    public long support(int k) {
        long sum = 0;
        for (long c : counts[k]) {
            sum += c;
        }
        return sum;
    }

    /** Records predicted as k (column sum). */
    public long predicted(int k) {
        long sum = 0;
        for (long[] row : counts) {
            sum += row[k];
        }
        return sum;
    }

    /** {@code tp / predicted(k)}; 0 when nothing was predicted as k (zero_division=0). */
    public double precision(int k) {
        return ratioOrZero(truePositives(k), predicted(k));
    }

    /** {@code tp / support(k)}; 0 when class k has no record (zero_division=0). */
    public double recall(int k) {
        return ratioOrZero(truePositives(k), support(k));
    }

    /** {@code 2 tp / (support(k) + predicted(k))}; 0 when both are 0 (zero_division=0). */
    public double f1(int k) {
        return ratioOrZero(2 * truePositives(k), support(k) + predicted(k));
    }

    /** Correct predictions over all records; NaN when there is no record. */
    public double accuracy() {
        long total = total();
        return total == 0 ? Double.NaN : (double) trace() / total;
    }

    /** Micro-averaged F1 over the full label set; equals {@link #accuracy()}, but 0 when empty. */
    public double f1Micro() {
        long total = total();
        // sum of support = sum of predicted = total, so 2 tp / (2 total).
        return ratioOrZero(2 * trace(), 2 * total);
    }

    /** Unweighted mean of the per-class F1 over all classes. */
    public double f1Macro() {
        double sum = 0;
        for (int k = 0; k < counts.length; k++) {
            sum += f1(k);
        }
        return sum / counts.length;
    }

    /** Per-class F1 weighted by support; 0 when there is no record. */
    public double f1Weighted() {
        long total = total();
        if (total == 0) {
            return 0.0;
        }
        double sum = 0;
        for (int k = 0; k < counts.length; k++) {
            sum += f1(k) * support(k);
        }
        return sum / total;
    }

    private long trace() {
        long sum = 0;
        for (int k = 0; k < counts.length; k++) {
            sum += counts[k][k];
        }
        return sum;
    }

    private static double ratioOrZero(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix other && Arrays.deepEquals(counts, other.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix(rows = true, columns = predicted)" + Arrays.deepToString(counts);
    }
}

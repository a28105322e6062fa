package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-record cost of the ROC sketches as the metrics stream pays it: one sketch per class, 10 adds
 * per labelled record (cumulative, add only) and 10 adds plus 10 removes (a last-1,000 sliding view),
 * and the per-second report's {@link RocSketch#summary} of the full sketches. The figures are printed,
 * never judged (a shared machine proves nothing about speed); what is asserted is that the states timed
 * are the right ones.
 */
class RocSketchThroughputTest {

    private static final int CLASSES = 10;
    private static final int RECORDS = 300_000;
    private static final int WARM_UP_RECORDS = 100_000;
    private static final int WINDOW = 1_000;
    private static final int CURVE_POINTS = 256;

    /** Softmax-like float32 scores, {@code exp(logsoftmax(3 z))} of gaussian logits, the true class raised. */
    private record Stream(float[] scores, int[] labels) {

        static Stream seeded(long seed, int records) {
            Random random = new Random(seed);
            float[] scores = new float[records * CLASSES];
            int[] labels = new int[records];
            double[] logits = new double[CLASSES];
            for (int r = 0; r < records; r++) {
                labels[r] = random.nextInt(CLASSES);
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < CLASSES; k++) {
                    logits[k] = random.nextGaussian() * 3 + (k == labels[r] ? 3 : 0);
                    max = Math.max(max, logits[k]);
                }
                double sum = 0;
                for (int k = 0; k < CLASSES; k++) {
                    sum += Math.exp(logits[k] - max);
                }
                double logSum = max + Math.log(sum);
                for (int k = 0; k < CLASSES; k++) {
                    scores[r * CLASSES + k] = (float) Math.exp((double) (float) (logits[k] - logSum));
                }
            }
            return new Stream(scores, labels);
        }

        void add(RocSketch[] sketches, int r) {
            for (int k = 0; k < CLASSES; k++) {
                sketches[k].add(scores[r * CLASSES + k], k == labels[r]);
            }
        }

        void remove(RocSketch[] sketches, int r) {
            for (int k = 0; k < CLASSES; k++) {
                sketches[k].remove(scores[r * CLASSES + k], k == labels[r]);
            }
        }
    }

    private static RocSketch[] emptySketches() {
        RocSketch[] sketches = new RocSketch[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            sketches[k] = new RocSketch();
        }
        return sketches;
    }

    @Test
    void cumulativeAndSlidingSketchesPerRecordAndPerSummary() {
        Stream warmUp = Stream.seeded(1, WARM_UP_RECORDS);
        Stream stream = Stream.seeded(2026, RECORDS);
        Stream more = Stream.seeded(2027, RECORDS);
        // The JIT compiles add, remove and summary on a throwaway stream before anything is timed.
        feedCumulative(warmUp, emptySketches());
        feedSliding(warmUp, emptySketches());
        summaries(feedCumulative(warmUp, emptySketches()), 2);

        RocSketch[] cumulative = emptySketches();
        long start = System.nanoTime();
        feedCumulative(stream, cumulative);
        double addNanos = (System.nanoTime() - start) / (double) RECORDS;
        // Past the limit the first records pay for coarsening (a rebuild per level); the steady state
        // of a long-running view is the same stream continued, the level settled.
        RocSketch[] continued = new RocSketch[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            continued[k] = cumulative[k].copy();
        }
        start = System.nanoTime();
        feedCumulative(more, continued);
        double steadyNanos = (System.nanoTime() - start) / (double) RECORDS;

        RocSketch[] sliding = emptySketches();
        start = System.nanoTime();
        feedSliding(stream, sliding);
        double slideNanos = (System.nanoTime() - start) / (double) RECORDS;

        int rounds = 5;
        start = System.nanoTime();
        RocSketch.Summary[] summaries = summaries(cumulative, rounds);
        double summaryNanos = (System.nanoTime() - start) / (double) (rounds * CLASSES);

        System.out.printf("RocSketch, %d softmax records x %d classes: cumulative add %.0f ns/record (%.1f ns/add), "
                        + "%d more records %.0f ns/record (level %d to %d), sliding %d add+remove %.0f ns/record, "
                        + "summary(%d) %.2f ms/sketch (%d cells, level %d)%n",
                RECORDS, CLASSES, addNanos, addNanos / CLASSES, RECORDS, steadyNanos, cumulative[0].level(),
                continued[0].level(), WINDOW, slideNanos, CURVE_POINTS, summaryNanos / 1e6,
                cumulative[0].cellCount(), cumulative[0].level());

        // The cumulative sketches hold every record, past the cell limit, within their bound of the exact AUC.
        float[] classZero = new float[RECORDS];
        boolean[] positive = new boolean[RECORDS];
        for (int r = 0; r < RECORDS; r++) {
            classZero[r] = stream.scores[r * CLASSES];
            positive[r] = stream.labels[r] == 0;
        }
        for (int k = 0; k < CLASSES; k++) {
            assertThat(cumulative[k].positives() + cumulative[k].negatives()).isEqualTo(RECORDS);
            assertThat(cumulative[k].cellCount()).isLessThanOrEqualTo(RocSketch.DEFAULT_CELL_LIMIT);
            assertThat(continued[k].positives() + continued[k].negatives()).isEqualTo(2L * RECORDS);
            assertThat(continued[k].cellCount()).isLessThanOrEqualTo(RocSketch.DEFAULT_CELL_LIMIT);
        }
        assertThat(cumulative[0].isExact()).isFalse();
        assertThat(summaries[0].auc()).isEqualTo(cumulative[0].auc());
        assertThat(Math.abs(summaries[0].auc() - RocSketchTest.exactAuc(classZero, positive)))
                .isLessThanOrEqualTo(cumulative[0].aucErrorBound());
        // The sliding sketches hold exactly the last WINDOW records, byte for byte.
        RocSketch[] lastWindow = emptySketches();
        for (int r = RECORDS - WINDOW; r < RECORDS; r++) {
            stream.add(lastWindow, r);
        }
        for (int k = 0; k < CLASSES; k++) {
            assertThat(sliding[k].toBytes()).as("class %d", k).isEqualTo(lastWindow[k].toBytes());
        }
    }

    private static RocSketch[] feedCumulative(Stream stream, RocSketch[] sketches) {
        for (int r = 0; r < stream.labels.length; r++) {
            stream.add(sketches, r);
        }
        return sketches;
    }

    private static void feedSliding(Stream stream, RocSketch[] sketches) {
        for (int r = 0; r < stream.labels.length; r++) {
            stream.add(sketches, r);
            if (r >= WINDOW) {
                stream.remove(sketches, r - WINDOW);
            }
        }
    }

    private static RocSketch.Summary[] summaries(RocSketch[] sketches, int rounds) {
        RocSketch.Summary[] last = new RocSketch.Summary[sketches.length];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < sketches.length; k++) {
                last[k] = sketches[k].summary(CURVE_POINTS);
            }
        }
        return last;
    }
}

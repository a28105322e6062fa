package io.cifarstream.bench;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Corruption;
import io.cifarstream.dataset.Shift;
import io.cifarstream.evaluate.Evaluation;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.Drift;
import io.cifarstream.metrics.DriftAccumulator;
import io.cifarstream.metrics.DriftCheck;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.schemas.CifarShape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code cifar-stream bench drift}: how soon the drift checks see a shift, and whether they keep quiet without one.
 * Each seed's stream is the test split in the order {@code replay --shuffle --seed S} publishes it: for each shift,
 * the first {@code shiftAfter} images clean and the rest corrupted with noise seeded by S
 * ({@code replay --shift-after}); and once all clean. A last-N view of {@link DriftAccumulator} (the metrics stream's
 * {@code last} view: the same state, fed the same predictions and image statistics) is checked after every record
 * once it holds N: the rule {@code drift.max_js in last > 0.1 min N}. Reported per seed and shift: the records after
 * the shift until the first check over its bound, and which; on the clean stream, how many of the checks were over
 * and the largest value each distance reached. The chi-square test is reported apart: it is a test at 1%, so over
 * thousands of evaluations it is over now and then on clean data by design.
 */
public final class DriftBenchmark {

    /** The nine corruptions, each at severity 3. */
    public static final List<Shift> SEVERITY_3 = Arrays.stream(Corruption.values()).map(c -> new Shift(c, 3)).toList();

    private final OnnxClassifier model;
    private final Calibration calibration;
    private final CifarImages test;
    private final int lastN;
    private final int shiftAfter;
    private final Consumer<String> progress;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param shiftAfter clean records before the shift, at least {@code lastN} so the view is full of clean ones
     */
    public DriftBenchmark(OnnxClassifier model, Calibration calibration, CifarImages test, int lastN, int shiftAfter,
            Consumer<String> progress) {
        if (lastN < 1 || shiftAfter < lastN || shiftAfter >= test.size()) {
            throw new IllegalArgumentException("need 1 <= last N (" + lastN + ") <= shift after (" + shiftAfter
                    + ") < images (" + test.size() + ")");
        }
        this.model = model;
        this.calibration = calibration;
        this.test = test;
        this.lastN = lastN;
        this.shiftAfter = shiftAfter;
        this.progress = progress;
    }

    /** Runs every seed (its replay order from {@code orderOfSeed}) over every shift, and the clean stream. */
    public ObjectNode run(List<Long> seeds, LongFunction<int[]> orderOfSeed, List<Shift> shifts) {
        ObjectNode result = mapper.createObjectNode();
        result.put("model", model.path().toString());
        result.put("model_version", model.version());
        result.put("images", test.size());
        result.put("last_n", lastN);
        result.put("shift_after", shiftAfter);
        result.put("rule", "drift.max_js in last > " + DriftAccumulator.DISTANCE_BOUND + " min " + lastN
                + ", evaluated after every record");
        Scored clean = Scored.of(model, test);
        ArrayNode runs = result.putArray("seeds");
        Map<String, Integer> worstDelay = new LinkedHashMap<>();
        int cleanFalseAlarms = 0;
        for (long seed : seeds) {
            int[] order = orderOfSeed.apply(seed);
            ObjectNode run = runs.addObject();
            run.put("seed", seed);
            Outcome quiet = stream(order, clean, clean, Integer.MAX_VALUE);
            cleanFalseAlarms += quiet.distanceOver;
            ObjectNode cleanNode = run.putObject("clean");
            cleanNode.put("evaluations", quiet.evaluations);
            cleanNode.put("distance_over", quiet.distanceOver);
            cleanNode.put("chi_square_over", quiet.chiSquareOver);
            ObjectNode max = cleanNode.putObject("max_statistic");
            quiet.max.forEach((name, value) -> max.put(name, round(value)));
            progress.accept(String.format(Locale.ROOT, "seed %d clean: %d of %d evaluations over a distance bound, "
                    + "chi-square over %d times, largest distance %.3f", seed, quiet.distanceOver, quiet.evaluations,
                    quiet.chiSquareOver, quiet.max.values().stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            ArrayNode shifted = run.putArray("shifts");
            for (Shift shift : shifts) {
                Scored corrupted = Scored.of(model, new CorruptedImages(test, shift, seed).all());
                Outcome outcome = stream(order, clean, corrupted, shiftAfter);
                ObjectNode node = shifted.addObject();
                node.put("shift", shift.toString());
                node.put("accuracy_clean", clean.accuracy);
                node.put("accuracy_shifted", corrupted.accuracy);
                if (outcome.firstOver >= 0) {
                    node.put("records_after_shift", outcome.firstOver);
                    node.put("first_over", outcome.firstOverCheck);
                } else {
                    node.putNull("records_after_shift");
                }
                node.put("over_before_shift", outcome.distanceOverBeforeShift);
                int delay = outcome.firstOver >= 0 ? outcome.firstOver : Integer.MAX_VALUE;
                worstDelay.merge(shift.toString(), delay, Math::max);
                progress.accept(String.format(Locale.ROOT, "seed %d %-20s accuracy %.4f -> %.4f, over after %s records"
                        + " (%s)", seed, shift, clean.accuracy, corrupted.accuracy,
                        outcome.firstOver >= 0 ? outcome.firstOver : "no", outcome.firstOverCheck));
            }
        }
        ObjectNode summary = result.putObject("summary");
        summary.put("clean_evaluations_over_a_distance_bound", cleanFalseAlarms);
        ObjectNode worst = summary.putObject("most_records_after_shift");
        worstDelay.forEach((shift, delay) -> {
            if (delay == Integer.MAX_VALUE) {
                worst.putNull(shift);
            } else {
                worst.put(shift, delay);
            }
        });
        summary.put("slowest", worstDelay.values().stream().mapToInt(Integer::intValue).max().orElse(0));
        return result;
    }

    /**
     * Streams the images of {@code order}: positions before {@code shiftAt} from {@code before}, the rest from
     * {@code after}, through a last-N view checked after each record once full.
     */
    private Outcome stream(int[] order, Scored before, Scored after, int shiftAt) {
        DriftAccumulator view = new DriftAccumulator(calibration);
        float[] row = new float[CifarShape.CLASSES];
        float[] stats = new float[ImageStatistics.LENGTH];
        Outcome outcome = new Outcome();
        for (int n = 0; n < order.length; n++) {
            (n < shiftAt ? before : after).copy(order[n], row, stats);
            view.add(row, stats);
            if (n >= lastN) {
                (n - lastN < shiftAt ? before : after).copy(order[n - lastN], row, stats);
                view.remove(row, stats);
            }
            if (n + 1 < lastN) {
                continue;
            }
            Drift drift = view.drift(calibration);
            outcome.evaluations++;
            double distance = drift.maxDistance();
            boolean over = distance > DriftAccumulator.DISTANCE_BOUND;
            for (DriftCheck check : drift.checks()) {
                if (check.name().endsWith("_js")) {
                    outcome.max.merge(check.name(), check.statistic(), Math::max);
                } else if (check.over()) {
                    outcome.chiSquareOver++;
                }
            }
            if (over && n < shiftAt) {
                outcome.distanceOverBeforeShift++;
            }
            if (over) {
                outcome.distanceOver++;
            }
            if (over && n >= shiftAt && outcome.firstOver < 0) {
                outcome.firstOver = n - shiftAt + 1;
                outcome.firstOverCheck = drift.checks().stream().filter(c -> c.name().endsWith("_js") && c.over())
                        .map(DriftCheck::name).reduce((a, b) -> a + "," + b).orElse("");
                if (shiftAt != Integer.MAX_VALUE) {
                    return outcome;
                }
            }
        }
        return outcome;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    /** What one stream showed. */
    private static final class Outcome {
        int evaluations;
        int distanceOver;
        int distanceOverBeforeShift;
        int chiSquareOver;
        int firstOver = -1;
        String firstOverCheck = "";
        final Map<String, Double> max = new LinkedHashMap<>();
    }

    /** A set's log-probabilities (from ONNX Runtime) and image statistics, image by image. */
    private record Scored(float[] logProbs, float[] stats, double accuracy) {

        static Scored of(OnnxClassifier model, CifarImages images) {
            Evaluation evaluation = Evaluation.run(model, images, n -> { });
            float[] stats = new float[images.size() * ImageStatistics.LENGTH];
            for (int i = 0; i < images.size(); i++) {
                ImageStatistics.compute(images.pixels(), i * CifarShape.PIXELS, CifarShape.SIDE, CifarShape.SIDE,
                        stats, i * ImageStatistics.LENGTH);
            }
            return new Scored(evaluation.logProbs(), stats, evaluation.report().accuracy());
        }

        void copy(int image, float[] row, float[] imageStats) {
            System.arraycopy(logProbs, image * CifarShape.CLASSES, row, 0, CifarShape.CLASSES);
            System.arraycopy(stats, image * ImageStatistics.LENGTH, imageStats, 0, ImageStatistics.LENGTH);
        }
    }
}

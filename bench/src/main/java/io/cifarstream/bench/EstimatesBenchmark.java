package io.cifarstream.bench;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Corruption;
import io.cifarstream.dataset.Shift;
import io.cifarstream.evaluate.Evaluation;
import io.cifarstream.evaluate.MonitoringFigures;
import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.DriftCheck;
import io.cifarstream.metrics.MonitoringFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code cifar-stream bench estimates}: how far the label-free accuracy estimates are from the accuracy they
 * estimate, on the clean test split and on shifted copies of it. Each set is scored as {@code evaluate} scores
 * it, and its estimates (AC, ATC, ATC-NE, {@code estimated_accuracy}) are computed with the model's reference by the same
 * accumulators the live metrics use; the error of each is estimate minus realized accuracy, in points. The summary
 * gives the mean absolute error over the shifted sets and the error on the clean split.
 */
public final class EstimatesBenchmark {

    /**
     * The shifted sets of the target: seven CIFAR-10-C corruptions at severity 3, and the two that hurt most
     * (gaussian noise, contrast) at severity 5.
     */
    public static final List<Shift> TARGET_SHIFTS = List.of(
            new Shift(Corruption.byId("gaussian_noise"), 3), new Shift(Corruption.byId("shot_noise"), 3),
            new Shift(Corruption.byId("impulse_noise"), 3), new Shift(Corruption.byId("contrast"), 3),
            new Shift(Corruption.byId("brightness"), 3), new Shift(Corruption.byId("pixelate"), 3),
            new Shift(Corruption.byId("jpeg_compression"), 3), new Shift(Corruption.byId("gaussian_noise"), 5),
            new Shift(Corruption.byId("contrast"), 5));

    private EstimatesBenchmark() {
    }

    /**
     * Scores the clean {@code test} images and each shift of them (noise seeded by {@code seed}) with
     * {@code model}, whose reference is {@code reference}, and returns the figures; {@code progress} hears of each
     * set as it is done.
     */
    public static ObjectNode run(OnnxClassifier model, ReferenceFile reference, String referencePath,
            CifarImages test, List<Shift> shifts, long seed, Consumer<String> progress) {
        if (!reference.modelVersion().equals(model.version())) {
            throw new IllegalArgumentException("the reference was made for model version " + reference.modelVersion()
                    + ", not " + model.version());
        }
        Calibration calibration = reference.calibration();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode result = mapper.createObjectNode();
        result.put("model", model.path().toString());
        result.put("model_version", model.version());
        model.metadata().get(ModelMetadata.RECIPE).ifPresent(recipe -> result.put("model_recipe", recipe));
        model.metadata().get(ModelMetadata.EPOCHS).ifPresent(epochs -> result.put("model_epochs", epochs));
        ObjectNode ref = result.putObject("reference");
        ref.put("file", referencePath);
        ref.put("data", reference.referenceData());
        ref.put(MonitoringFields.REFERENCE_COUNT, calibration.referenceCount());
        ref.put(MonitoringFields.REFERENCE_ACCURACY, calibration.referenceAccuracy());
        ref.put(MonitoringFields.TEMPERATURE, calibration.temperature());
        ref.put(MonitoringFields.ATC_THRESHOLD, calibration.atcThreshold());
        ref.put(MonitoringFields.ATC_ENTROPY_THRESHOLD, calibration.atcEntropyThreshold());
        result.put("images", test.size());
        result.put("shift_seed", seed);

        ArrayNode sets = result.putArray("sets");
        List<Row> shifted = new ArrayList<>();
        Row clean = measure(model, calibration, test, Optional.empty(), sets, progress);
        for (Shift shift : shifts) {
            shifted.add(measure(model, calibration, new CorruptedImages(test, shift, seed).all(), Optional.of(shift),
                    sets, progress));
        }
        ObjectNode summary = result.putObject("summary");
        ObjectNode mae = summary.putObject("shifted_mean_absolute_error_points");
        mae.put("sets", shifted.size());
        mae.put(MonitoringFields.ESTIMATED_ACCURACY, meanAbsolute(shifted, Row::estimatedError));
        mae.put(MonitoringFields.ESTIMATED_ACCURACY_AC, meanAbsolute(shifted, Row::acError));
        mae.put(MonitoringFields.ESTIMATED_ACCURACY_ATC, meanAbsolute(shifted, Row::atcError));
        mae.put(MonitoringFields.ESTIMATED_ACCURACY_ATC_NE, meanAbsolute(shifted, Row::atcNeError));
        ObjectNode cleanError = summary.putObject("clean_error_points");
        cleanError.put(MonitoringFields.ESTIMATED_ACCURACY, hundredths(clean.estimatedError()));
        cleanError.put(MonitoringFields.ESTIMATED_ACCURACY_AC, hundredths(clean.acError()));
        cleanError.put(MonitoringFields.ESTIMATED_ACCURACY_ATC, hundredths(clean.atcError()));
        cleanError.put(MonitoringFields.ESTIMATED_ACCURACY_ATC_NE, hundredths(clean.atcNeError()));
        return result;
    }

    private static Row measure(OnnxClassifier model, Calibration calibration, CifarImages images,
            Optional<Shift> shift, ArrayNode sets, Consumer<String> progress) {
        Evaluation evaluation = Evaluation.run(model, images, n -> { });
        MonitoringFigures figures = MonitoringFigures.of(evaluation, calibration);
        ConfidenceEstimate e = figures.estimate();
        double realized = evaluation.report().accuracy();
        Row row = new Row(100 * (e.estimatedAccuracy() - realized), 100 * (e.estimatedAccuracyAc() - realized),
                100 * (e.estimatedAccuracyAtc() - realized), 100 * (e.estimatedAccuracyAtcNe() - realized));
        ObjectNode set = sets.addObject();
        set.put("set", shift.map(Shift::toString).orElse("clean"));
        set.put("realized_accuracy", realized);
        set.put(MonitoringFields.ESTIMATED_ACCURACY, e.estimatedAccuracy());
        set.put(MonitoringFields.ESTIMATED_ACCURACY_AC, e.estimatedAccuracyAc());
        set.put(MonitoringFields.ESTIMATED_ACCURACY_ATC, e.estimatedAccuracyAtc());
        set.put(MonitoringFields.ESTIMATED_ACCURACY_ATC_NE, e.estimatedAccuracyAtcNe());
        ObjectNode errors = set.putObject("error_points");
        errors.put(MonitoringFields.ESTIMATED_ACCURACY, hundredths(row.estimatedError()));
        errors.put(MonitoringFields.ESTIMATED_ACCURACY_AC, hundredths(row.acError()));
        errors.put(MonitoringFields.ESTIMATED_ACCURACY_ATC, hundredths(row.atcError()));
        errors.put(MonitoringFields.ESTIMATED_ACCURACY_ATC_NE, hundredths(row.atcNeError()));
        set.put(MonitoringFields.ECE, figures.calibrationError().ece());
        set.put(MonitoringFields.BRIER, figures.calibrationError().brier());
        ArrayNode over = set.putArray("drift_over");
        figures.drift().checks().stream().filter(DriftCheck::over).forEach(check -> over.add(check.name()));
        progress.accept(String.format(java.util.Locale.ROOT, "%-20s realized %.4f  estimated %.4f (%+.2f)  AC %+.2f"
                + "  ATC %+.2f  ATC-NE %+.2f", set.get("set").asText(), realized, e.estimatedAccuracy(),
                row.estimatedError(), row.acError(), row.atcError(), row.atcNeError()));
        return row;
    }

    private static double hundredths(double points) {
        return Math.round(points * 100) / 100.0;
    }

    private static double meanAbsolute(List<Row> rows, ToDoubleFunction<Row> error) {
        return hundredths(rows.stream().mapToDouble(r -> Math.abs(error.applyAsDouble(r))).average()
                .orElse(Double.NaN));
    }

    /** One set's errors, estimate minus realized accuracy, in points. */
    private record Row(double estimatedError, double acError, double atcError, double atcNeError) {
    }
}

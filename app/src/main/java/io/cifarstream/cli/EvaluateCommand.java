package io.cifarstream.cli;

import io.cifarstream.evaluate.Evaluation;
import io.cifarstream.evaluate.EvaluationPlots;
import io.cifarstream.evaluate.MonitoringFigures;
import io.cifarstream.evaluate.PredictionsCsv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.console.ProgressBar;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Shift;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.inference.ReferenceLookup;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.DriftCheck;
import io.cifarstream.metrics.ReportTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream evaluate}: any ONNX CIFAR-10 classifier on the test split, metrics as scikit-learn defines them. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate an ONNX classifier on the CIFAR-10 test split (scikit-learn's metrics, plots)",
            "", "Runs the model with ONNX Runtime and prints the confusion matrix, accuracy, F1 (micro, macro, "
                + "weighted), per-class precision/recall/F1 and one-vs-rest ROC-AUC, as scikit-learn defines them; "
                + "writes PNG plots, and on request JSON and per-image CSV. With --corruption, the test images are "
                + "first corrupted as CIFAR-10-C does (docs/data.md). With the model's reference file (beside it, "
                + "or --reference), also what the live metrics know without labels: the accuracy and F1 estimates, "
                + "ECE and Brier at the reference's temperature, and the drift checks (docs/metrics.md).", ""})
public final class EvaluateCommand implements Callable<Integer>, FlagRules {

    @Mixin
    ModelFileFlag modelFile;

    @Mixin
    DataFlag data;

    @Mixin
    ModelFlags modelFlags;

    @Range(min = 1, max = 10_000)
    @Option(names = "--limit", paramLabel = "N", description = "Evaluate the first N test images only.")
    Integer limit;

    @Mixin
    ShiftFlags shiftFlags;

    @Range
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the noise of "
            + "--corruption (default: ${DEFAULT-VALUE}, as in replay and corrupt, which then make the same images).")
    long seed;

    @Mixin
    BatchSizeFlag batchSize;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the PNGs go (default: an 'evaluation' folder beside the model).")
    Path out;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--json", paramLabel = "FILE", description = "Write every number to FILE as JSON "
            + "(count, accuracy, f1_micro, f1_macro, f1_weighted, confusion, precision, recall, f1, auc, auc_macro, "
            + "log_loss, roc; with a reference also estimated_accuracy, estimated_accuracy_ac, "
            + "estimated_accuracy_atc, estimated_accuracy_atc_ne, estimated_f1_macro, ece, brier, temperature, "
            + "drift), the names the streaming metrics use.")
    Path json;

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--reference", paramLabel = "FILE", description = "The model's reference file, made for its "
            + "version by train or calibrate (default: the one beside the model, M.reference.json, if it is there "
            + "and was made for this version): adds the label-free estimates, ECE, Brier and the drift checks.")
    Path reference;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--predictions", paramLabel = "FILE",
            description = "Write one CSV row per test image: index,label,predicted,logp_0..logp_9.")
    Path predictions;

    @Override
    public Integer call() throws IOException {
        Path model = modelFile.path();
        CifarImages test = data.open().test();
        if (limit != null) {
            test = test.first(limit);
        }
        Optional<Shift> shift = shiftFlags.shift();
        if (shift.isPresent()) {
            test = new CorruptedImages(test, shift.get(), seed).all();
        }
        Evaluation evaluation;
        String version;
        Optional<ReferenceFile> modelReference;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, modelFlags.toOptions(), batchSize.value())) {
            version = classifier.version();
            modelReference = reference(version);
            try (ProgressBar bar = ProgressBar.start("evaluate", test.size(), "img")) {
                warnOnClassNames(classifier.metadata().classNames().orElse(null), test.classNames());
                evaluation = Evaluation.run(classifier, test, bar::stepBy);
            }
        }
        List<String> names = test.classNames();
        System.out.println("Model " + model + " (version " + version + "), " + test.size() + " test images"
                + shift.map(s -> " corrupted by " + s + " (seed " + seed + ")").orElse(""));
        System.out.println(new ReportTable(names).render(evaluation.report()));
        Optional<MonitoringFigures> monitoring = modelReference.map(r -> MonitoringFigures.of(evaluation,
                r.calibration()));
        monitoring.ifPresent(figures -> System.out.println(labelFreeLines(figures, evaluation)));

        Path dir = out != null ? out : model.toAbsolutePath().getParent().resolve("evaluation");
        Files.createDirectories(dir);
        String title = model.getFileName().toString();
        Path confusionPng = dir.resolve("confusion.png");
        Path rocPng = dir.resolve("roc.png");
        EvaluationPlots.confusionMatrix(evaluation.report(), names, "Confusion matrix — " + title, confusionPng);
        EvaluationPlots.rocCurves(evaluation.report(), names, "ROC (one vs rest) — " + title, rocPng);
        System.out.println("Wrote " + confusionPng);
        System.out.println("Wrote " + rocPng);
        if (json != null) {
            writeJson(evaluation, version, shift, monitoring);
            System.out.println("Wrote " + json);
        }
        if (predictions != null) {
            PredictionsCsv.write(evaluation, predictions);
            System.out.println("Wrote " + predictions);
        }
        return 0;
    }

    /**
     * The reference of the model's version: {@code --reference} (refused when made for another version), else the
     * file beside the model when it was made for this version (else a note on standard error, and none).
     */
    private Optional<ReferenceFile> reference(String version) {
        if (reference != null) {
            return Optional.of(ReferenceFile.forVersion(reference, version).require());
        }
        ReferenceLookup beside = ReferenceFile.lookUp(modelFile.path(), version);
        if (beside.reference().isEmpty()) {
            System.err.println("note: no label-free estimates: " + beside.explanation());
        }
        return beside.reference();
    }

    private static String labelFreeLines(MonitoringFigures figures, Evaluation evaluation) {
        ConfidenceEstimate e = figures.estimate();
        List<String> over = figures.drift().checks().stream().filter(DriftCheck::over).map(DriftCheck::name).toList();
        return String.format(Locale.ROOT, """
                Without labels (reference: temperature %.3f, ATC thresholds %.4f and %.4f):
                  estimated accuracy %.4f (AC %.4f, ATC %.4f, ATC-NE %.4f), realized %.4f
                  estimated F1 macro %.4f; ECE %.4f, Brier %.4f
                  drift checks over their bound: %s""", figures.calibration().temperature(),
                figures.calibration().atcThreshold(), figures.calibration().atcEntropyThreshold(),
                e.estimatedAccuracy(), e.estimatedAccuracyAc(), e.estimatedAccuracyAtc(), e.estimatedAccuracyAtcNe(),
                evaluation.report().accuracy(), e.estimatedF1Macro(),
                figures.calibrationError().ece(), figures.calibrationError().brier(),
                over.isEmpty() ? "none" : String.join(", ", over));
    }

    private void writeJson(Evaluation evaluation, String version, Optional<Shift> shift,
            Optional<MonitoringFigures> monitoring) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = mapper.createObjectNode();
        node.put("model", modelFile.path().toString());
        node.put("model_version", version);
        shift.ifPresent(s -> {
            node.put("shift", s.toString());
            node.put("shift_seed", seed);
        });
        node.setAll((ObjectNode) mapper.valueToTree(evaluation.report()));
        monitoring.ifPresent(figures -> node.setAll((ObjectNode) mapper.valueToTree(figures.fields())));
        mapper.writeValue(json.toFile(), node);
    }

    @Override
    public void checkFlags(CommandLine commandLine) {
        shiftFlags.check(commandLine);
    }

    private static void warnOnClassNames(List<String> declared, List<String> dataset) {
        if (declared != null && !declared.equals(dataset)) {
            System.err.printf(Locale.ROOT, "warning: the model declares classes %s, the data set has %s; "
                    + "metrics use the data set's order%n", declared, dataset);
        }
    }
}

package io.cifarstream.cli;

import io.cifarstream.evaluate.Evaluation;
import io.cifarstream.evaluate.EvaluationPlots;
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
                + "first corrupted as CIFAR-10-C does (docs/data.md).", ""})
public final class EvaluateCommand implements Callable<Integer>, FlagRules {

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The .onnx model.")
    Path model;

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

    @Range(min = 1, max = 4096)
    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N",
            description = "Images per ONNX Runtime call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the PNGs go (default: an 'evaluation' folder beside the model).")
    Path out;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--json", paramLabel = "FILE", description = "Write every number to FILE as JSON "
            + "(count, accuracy, f1_micro, f1_macro, f1_weighted, confusion, precision, recall, f1, auc, auc_macro, "
            + "log_loss, roc), the names the streaming metrics use.")
    Path json;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--predictions", paramLabel = "FILE",
            description = "Write one CSV row per test image: index,label,predicted,logp_0..logp_9.")
    Path predictions;

    @Override
    public Integer call() throws IOException {
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
        try (OnnxClassifier classifier = OnnxClassifier.load(model, modelFlags.toOptions(), batchSize);
                ProgressBar bar = ProgressBar.start("evaluate", test.size(), "img")) {
            warnOnClassNames(classifier.metadata().classNames().orElse(null), test.classNames());
            version = classifier.version();
            evaluation = Evaluation.run(classifier, test, bar::stepBy);
        }
        List<String> names = test.classNames();
        System.out.println("Model " + model + " (version " + version + "), " + test.size() + " test images"
                + shift.map(s -> " corrupted by " + s + " (seed " + seed + ")").orElse(""));
        System.out.println(new ReportTable(names).render(evaluation.report()));

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
            writeJson(evaluation, version, shift);
            System.out.println("Wrote " + json);
        }
        if (predictions != null) {
            PredictionsCsv.write(evaluation, predictions);
            System.out.println("Wrote " + predictions);
        }
        return 0;
    }

    private void writeJson(Evaluation evaluation, String version, Optional<Shift> shift) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = mapper.createObjectNode();
        node.put("model", model.toString());
        node.put("model_version", version);
        shift.ifPresent(s -> {
            node.put("shift", s.toString());
            node.put("shift_seed", seed);
        });
        node.setAll((ObjectNode) mapper.valueToTree(evaluation.report()));
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

package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.MonitoringFields;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;
import io.cifarstream.trainer.ValidationSplit;
import picocli.CommandLine;

/**
 * {@code calibrate} makes the reference file of a model trained elsewhere (the PyTorch fixture: normalized input,
 * logits out), beside it by default; {@code evaluate} then adds what the live metrics know without labels.
 */
class CalibrateCommandTest {
    static final String[] TORCH_FLAGS = {"--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output",
        "logits"};
    static Path dir;
    static Path model;
    static String version;
    static String data;

    @BeforeAll
    static void copyModel(@TempDir Path tmp) {
        dir = tmp;
        model = ForeignModel.copyTo(tmp, "foreign_cnn.onnx");
        data = CifarTestData.cifar10().location().toString();
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults()
                .withNormalization(ForeignModel.MEAN, ForeignModel.STD).withOutput(OutputKind.LOGITS))) {
            version = classifier.version();
        }
    }

    static int run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setErr(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void theReferenceOfAForeignModelGoesBesideItMadeForItsVersionOnTheImagesAsked() throws IOException {
        int exit = run(new CalibrateCommand(), with(TORCH_FLAGS, "--model", model.toString(), "--data", data,
                "--split", "test", "--limit", "500"));

        assertThat(exit).isZero();
        ReferenceFile reference = ReferenceFile.read(dir.resolve("foreign_cnn.reference.json"));
        assertThat(reference.modelVersion()).isEqualTo(version);
        assertThat(reference.referenceData()).isEqualTo("CIFAR-10 test split: the first 500 images");
        JsonNode expected = new ObjectMapper().readTree(ForeignModel.read("foreign_cnn_metrics_500.json"));
        assertThat(reference.calibration().referenceCount()).isEqualTo(500);
        assertThat(reference.calibration().referenceAccuracy()).isEqualTo(expected.get("accuracy").asDouble());
    }

    @Test
    void theValidationSplitIsTheImagesTrainHeldOut(@TempDir Path out) {
        Path file = out.resolve("held-out.json");
        int exit = run(new CalibrateCommand(), with(TORCH_FLAGS, "--model", model.toString(), "--data", data,
                "--split", "validation", "--limit", "300", "--out", file.toString()));

        assertThat(exit).isZero();
        ReferenceFile reference = ReferenceFile.read(file);
        assertThat(reference.calibration().referenceCount()).isEqualTo(300);
        assertThat(reference.referenceData()).isEqualTo("CIFAR-10 train split: 300 images held out of training (seed "
                + ValidationSplit.SEED + ")");
        var train = CifarTestData.cifar10().train();
        var heldOut = ValidationSplit.of(train.size(), 300).validation(train);
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults()
                .withNormalization(ForeignModel.MEAN, ForeignModel.STD).withOutput(OutputKind.LOGITS))) {
            assertThat(reference).isEqualTo(ReferenceFile.measure(classifier, heldOut.pixels(), heldOut.labels(), 300,
                    reference.referenceData(), n -> { }));
        }
    }

    @Test
    void evaluateAddsTheLabelFreeFiguresAndOnTheReferenceImagesAtcGivesBackTheirAccuracy(@TempDir Path out)
            throws IOException {
        Path reference = out.resolve("first-500.json");
        assertThat(run(new CalibrateCommand(), with(TORCH_FLAGS, "--model", model.toString(), "--data", data,
                "--split", "test", "--limit", "500", "--out", reference.toString()))).isZero();
        Path json = out.resolve("metrics.json");

        int exit = run(new EvaluateCommand(), with(TORCH_FLAGS, "--model", model.toString(), "--data", data,
                "--limit", "500", "--reference", reference.toString(), "--out", out.toString(), "--json",
                json.toString()));

        assertThat(exit).isZero();
        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        Calibration calibration = ReferenceFile.read(reference).calibration();
        assertThat(figures.fieldNames()).toIterable().contains(MonitoringFields.ESTIMATED_ACCURACY,
                MonitoringFields.ESTIMATED_ACCURACY_AC, MonitoringFields.ESTIMATED_ACCURACY_ATC,
                MonitoringFields.ESTIMATED_ACCURACY_ATC_NE, MonitoringFields.ESTIMATED_F1_MACRO, MonitoringFields.ECE, MonitoringFields.BRIER,
                MonitoringFields.TEMPERATURE, MonitoringFields.DRIFT);
        // The reference's own images: exactly its accuracy's share of scores is above each ATC threshold, and
        // every distribution is the reference's.
        assertThat(figures.get("estimated_accuracy_atc").asDouble()).isEqualTo(figures.get("accuracy").asDouble());
        assertThat(figures.get("estimated_accuracy_atc_ne").asDouble()).isEqualTo(figures.get("accuracy").asDouble());
        assertThat(figures.get("temperature").asDouble()).isEqualTo(calibration.temperature());
        assertThat(figures.get("estimated_accuracy").asDouble()).isEqualTo(Math.min(
                figures.get("estimated_accuracy_ac").asDouble(), figures.get("estimated_accuracy_atc_ne").asDouble()));
        assertThat(figures.get("ece").asDouble()).isBetween(0.0, 0.1);
        assertThat(figures.get("brier").asDouble()).isBetween(0.0, 2.0);
        JsonNode drift = figures.get("drift");
        assertThat(drift.fieldNames()).toIterable().containsExactly("predicted_class_chi_square", "predicted_class_js",
                "confidence_js", "image_mean_red_js", "image_mean_green_js", "image_mean_blue_js", "image_std_red_js",
                "image_std_green_js", "image_std_blue_js", "image_chroma_js", "image_detail_js");
        drift.forEach(check -> {
            assertThat(check.get("statistic").asDouble()).as(check.get("name").asText()).isZero();
            assertThat(check.get("over").asBoolean()).isFalse();
            assertThat(check.has("p_value") && check.has("bound")).isTrue();
        });
    }

    @Test
    void underLowContrastTheImageDeviationsAreFlaggedAsDrift(@TempDir Path out) throws IOException {
        Path reference = out.resolve("reference.json");
        assertThat(run(new CalibrateCommand(), with(TORCH_FLAGS, "--model", model.toString(), "--data", data,
                "--split", "test", "--limit", "500", "--out", reference.toString()))).isZero();
        Path json = out.resolve("contrast.json");

        assertThat(run(new EvaluateCommand(), with(TORCH_FLAGS, "--model", model.toString(), "--data", data,
                "--limit", "500", "--corruption", "contrast", "--severity", "5", "--reference", reference.toString(),
                "--out", out.toString(), "--json", json.toString()))).isZero();

        JsonNode drift = new ObjectMapper().readTree(json.toFile()).get("drift");
        for (String channel : List.of("red", "green", "blue")) {
            assertThat(drift.get("image_std_" + channel + "_js").get("over").asBoolean()).as(channel).isTrue();
        }
    }

    @Test
    void aReferenceMadeForAnotherModelIsRefusedNamingTheFlag(@TempDir Path out) throws IOException {
        Path other = ForeignModel.copyTo(out, "other.onnx");
        java.nio.file.Files.write(other, new byte[] {(byte) 0xC0, 0x3E, 0x01}, java.nio.file.StandardOpenOption.APPEND);
        Path reference = out.resolve("other.reference.json");
        assertThat(run(new CalibrateCommand(), with(TORCH_FLAGS, "--model", other.toString(), "--data", data,
                "--limit", "100", "--out", reference.toString()))).isZero();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute(with(with(new String[] {"evaluate"}, TORCH_FLAGS), "--model", model.toString(), "--data",
                data, "--limit", "100", "--reference", reference.toString(), "--out", out.toString()));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: the reference file " + reference + " was made for model version ")
                .contains("not " + version).contains("cifar-stream calibrate").contains("(see --reference)");
    }
}

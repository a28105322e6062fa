package io.cifarstream.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserFixable;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/**
 * A model's reference file: made by running the model on labelled images, checked against what PyTorch and
 * scikit-learn computed for the same model and images; stored beside the model and found there for its version only.
 */
class ReferenceFileTest {
    static final int IMAGES = 500;
    static final ModelOptions TORCH_CONVENTIONS = ModelOptions.defaults().withThreads(2)
            .withNormalization(ForeignModel.MEAN, ForeignModel.STD).withOutput(OutputKind.LOGITS);

    @TempDir
    static Path dir;
    static Path model;
    static CifarImages first500;
    static ReferenceFile made;
    static String version;

    @BeforeAll
    static void measure() {
        model = ForeignModel.copyTo(dir, "foreign_cnn.onnx");
        first500 = CifarTestData.testSplit().first(IMAGES);
        List<Integer> batches = new ArrayList<>();
        try (OnnxClassifier classifier = OnnxClassifier.load(model, TORCH_CONVENTIONS, 128)) {
            version = classifier.version();
            made = ReferenceFile.measure(classifier, first500.pixels(), first500.labels(), IMAGES,
                    "CIFAR-10 test split: the first 500 images", batches::add);
        }
        assertThat(batches).containsExactly(128, 128, 128, 116);
    }

    @Test
    void theReferenceIsTheModelsOnTheImagesAsPyTorchAndScikitLearnSawThem() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(ForeignModel.read("foreign_cnn_metrics_500.json"));
        Calibration calibration = made.calibration();

        assertThat(made.modelVersion()).isEqualTo(version);
        assertThat(calibration.referenceCount()).isEqualTo(IMAGES);
        assertThat(calibration.imageCount()).isEqualTo(IMAGES);
        assertThat(calibration.referenceAccuracy()).isEqualTo(expected.get("accuracy").asDouble());
        for (int k = 0; k < 10; k++) {
            long predicted = 0;
            for (int t = 0; t < 10; t++) {
                predicted += expected.get("confusion").get(t).get(k).asLong();
            }
            assertThat(calibration.predictedClassCounts().get(k)).as("predictions of class %d", k).isEqualTo(predicted);
        }
    }

    @Test
    void itLivesBesideTheModelAndReadsBackAsWritten() throws IOException {
        Path file = ReferenceFile.beside(model);
        made.write(file);

        assertThat(file).isEqualTo(dir.resolve("foreign_cnn.reference.json"));
        assertThat(ReferenceFile.beside(Path.of("models", "cnn"))).isEqualTo(Path.of("models", "cnn.reference.json"));
        assertThat(ReferenceFile.read(file)).isEqualTo(made);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.fieldNames()).toIterable().containsExactly("version", "model_version", "reference_data",
                "calibration");
        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.get("model_version").asText()).isEqualTo(version);
        assertThat(Calibration.fromJson(json.get("calibration").toString())).isEqualTo(made.calibration());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".partial"));
        }
    }

    @Test
    void itIsFoundForTheVersionItWasMadeForOnly(@TempDir Path other) throws IOException {
        Path copy = ForeignModel.copyTo(other, "copy.onnx");
        assertThat(ReferenceFile.lookUp(copy, version).reference()).isEmpty();
        assertThat(ReferenceFile.lookUp(copy, version).explanation())
                .isEqualTo("no reference file at " + other.resolve("copy.reference.json")
                        + ": make one by calibrating the model (`cifar-stream calibrate`)");

        made.write(ReferenceFile.beside(copy));
        assertThat(ReferenceFile.lookUp(copy, version).reference()).contains(made);
        ReferenceLookup stale = ReferenceFile.lookUp(copy, "0123456789abcdef");
        assertThat(stale.reference()).isEmpty();
        assertThat(stale.explanation()).contains("was made for model version " + version + ", not 0123456789abcdef")
                .endsWith("make one by calibrating the model (`cifar-stream calibrate`)");
        assertThatThrownBy(stale::require).isInstanceOf(ReferenceFileException.class)
                .extracting(e -> ((UserFixable) e).setting()).isEqualTo(Setting.REFERENCE);
    }

    @Test
    void aFileThatIsNotAReferenceIsAUserFixableErrorNamingIt(@TempDir Path other) throws IOException {
        Path broken = Files.writeString(other.resolve("m.reference.json"), "{\"version\": 1, \"model_version\": \"x\"}");
        Path future = Files.writeString(other.resolve("f.reference.json"),
                made.toJson().replaceFirst("\"version\" : 1", "\"version\" : 2"));

        assertThatThrownBy(() -> ReferenceFile.read(broken)).isInstanceOf(ReferenceFileException.class)
                .hasMessageContaining(broken.toString()).hasMessageContaining("is not a reference file")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> ReferenceFile.read(future)).isInstanceOf(ReferenceFileException.class)
                .hasMessageContaining("layout 2 is not 1");
        assertThat(ReferenceFile.lookUp(other.resolve("m.onnx"), "x").explanation())
                .contains("is not a reference file");
    }
}

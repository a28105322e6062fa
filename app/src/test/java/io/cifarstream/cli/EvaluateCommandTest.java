package io.cifarstream.cli;

import io.cifarstream.testkit.ForeignModel;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.testkit.CifarTestData;
import picocli.CommandLine;

/**
 * {@code evaluate} on a PyTorch-exported model (normalized input, logits out) and the first 500 real test images
 * gives the numbers scikit-learn computed from PyTorch's own outputs (fixture and script in src/test/python).
 */
class EvaluateCommandTest {
    static JsonNode expected;
    static JsonNode actual;
    static Path dir;

    @BeforeAll
    static void evaluate(@TempDir Path tmp) throws IOException {
        dir = tmp;
        Path model = ForeignModel.copyTo(tmp, "foreign_cnn.onnx");
        expected = new ObjectMapper().readTree(ForeignModel.read("foreign_cnn_metrics_500.json"));
        int exit = new CommandLine(new EvaluateCommand()).execute("--model", model.toString(),
                "--data", CifarTestData.cifar10().location().toString(), "--limit", "500",
                "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits",
                "--batch-size", "64", "--out", tmp.resolve("plots").toString(),
                "--json", tmp.resolve("metrics.json").toString(), "--predictions", tmp.resolve("p.csv").toString());
        assertThat(exit).isZero();
        actual = new ObjectMapper().readTree(tmp.resolve("metrics.json").toFile());
    }

    @Test
    void theJsonHoldsTheEvaluationUnderTheStreamingMetricsNamesWithTheModelAndItsVersion() {
        assertThat(actual.get("count").asLong()).isEqualTo(500);
        assertThat(actual.get("confusion")).isEqualTo(expected.get("confusion"));
        assertThat(actual.fieldNames()).toIterable().contains("accuracy", "f1_micro", "f1_macro", "f1_weighted",
                "precision", "recall", "f1", "auc", "auc_macro", "log_loss", "roc", "model", "model_version");
        assertThat(actual.get("model_version").asText()).hasSize(16);
    }

    @Test
    void predictionsCsvHasOneRowPerImageInSplitOrderWithItsLabel() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("p.csv"));
        assertThat(lines).hasSize(501);
        assertThat(lines.get(0)).isEqualTo("index,label,predicted,logp_0,logp_1,logp_2,logp_3,logp_4,logp_5,logp_6,"
                + "logp_7,logp_8,logp_9");
        var test = CifarTestData.testSplit();
        int[] predictedPerClass = new int[10];
        for (int i = 1; i <= 500; i++) {
            String[] cells = lines.get(i).split(",");
            assertThat(cells).hasSize(13);
            assertThat(Integer.parseInt(cells[0])).isEqualTo(i - 1);
            assertThat(Integer.parseInt(cells[1])).isEqualTo(test.label(i - 1));
            predictedPerClass[Integer.parseInt(cells[2])]++;
        }
        for (int p = 0; p < 10; p++) {
            int column = 0;
            for (int t = 0; t < 10; t++) {
                column += expected.get("confusion").get(t).get(p).asInt();
            }
            assertThat(predictedPerClass[p]).as("predicted %d", p).isEqualTo(column);
        }
    }

    @Test
    void thePlotsAreRealPngPictures() throws IOException {
        for (String name : List.of("confusion.png", "roc.png")) {
            BufferedImage image = ImageIO.read(dir.resolve("plots").resolve(name).toFile());
            assertThat(image).as(name).isNotNull();
            assertThat(image.getWidth()).isEqualTo(900);
        }
    }
}

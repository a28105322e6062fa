package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Shift;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/**
 * {@code corrupt} writes a shifted copy of the real test split in the official layout; {@code evaluate --data} reads
 * that copy and scores exactly what {@code evaluate --corruption} scores on the fly with the same seed, which is not
 * what the model makes of the clean images. The flags of a shift are checked before anything runs.
 */
class CorruptCommandTest {

    private static JsonNode evaluate(Path dir, String name, String... extra) throws IOException {
        Path json = dir.resolve(name + ".json");
        Path model = dir.resolve("foreign_cnn.onnx");
        if (!Files.exists(model)) {
            ForeignModel.copyTo(dir, model.getFileName().toString());
        }
        List<String> args = new ArrayList<>(List.of("evaluate", "--model", model.toString(), "--limit", "500",
                "--input-mean",
                "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits", "--out",
                dir.resolve(name).toString(), "--json", json.toString()));
        args.addAll(List.of(extra));
        DeclaredFlagsTest.Result result = DeclaredFlagsTest.runMain(args.toArray(String[]::new));
        assertThat(result.exit()).as(result.err()).isZero();
        return new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void aCorruptedCopyOnDiskEvaluatesExactlyAsTheCorruptionAppliedOnTheFly(@TempDir Path dir) throws IOException {
        Path cifar = CifarTestData.cifar10().location();
        Path copy = dir.resolve("shifted");
        DeclaredFlagsTest.Result wrote = DeclaredFlagsTest.runMain("corrupt", "--data", cifar.toString(), "--shift",
                "gaussian_noise:5", "--seed", "7", "--out", copy.toString());
        assertThat(wrote.exit()).as(wrote.err()).isZero();
        CifarImages written = Cifar10.open(copy).test();
        assertThat(written.pixels()).isEqualTo(new CorruptedImages(CifarTestData.testSplit(),
                Shift.parse("gaussian_noise:5"), 7).all().pixels());

        JsonNode fromDisk = evaluate(dir, "disk", "--data", copy.toString());
        JsonNode onTheFly = evaluate(dir, "fly", "--data", cifar.toString(), "--corruption", "gaussian_noise",
                "--severity", "5", "--seed", "7");
        JsonNode clean = new ObjectMapper().readTree(ForeignModel.read("foreign_cnn_metrics_500.json"));

        assertThat(fromDisk.get("confusion")).isEqualTo(onTheFly.get("confusion"));
        assertThat(fromDisk.get("log_loss").asDouble()).isEqualTo(onTheFly.get("log_loss").asDouble());
        assertThat(onTheFly.get("shift").asText()).isEqualTo("gaussian_noise:5");
        assertThat(onTheFly.get("shift_seed").asLong()).isEqualTo(7);
        assertThat(fromDisk.has("shift")).as("a copy on disk is just data").isFalse();
        assertThat(onTheFly.get("confusion")).as("the shift changes what the model predicts")
                .isNotEqualTo(clean.get("confusion"));
    }

    @Test
    void theFlagsOfAShiftAreCheckedBeforeAnythingRuns(@TempDir Path dir) throws IOException {
        Path model = Files.writeString(dir.resolve("m.onnx"), "never read");
        assertThat(DeclaredFlagsTest.runMain("evaluate", "--model", model.toString(), "--severity", "2").err())
                .startsWith("error: --severity grades a --corruption: give --corruption NAME too");
        assertThat(DeclaredFlagsTest.runMain("evaluate", "--model", model.toString(), "--corruption", "fog").err())
                .startsWith("error: --corruption must be one of gaussian_noise, shot_noise, impulse_noise, "
                        + "defocus_blur, contrast, brightness, saturate, pixelate, jpeg_compression (got 'fog')");
        assertThat(DeclaredFlagsTest.runMain("replay", "--shift-after", "100").err())
                .startsWith("error: --shift-after says when --corruption starts: give --corruption NAME too");
        assertThat(DeclaredFlagsTest.runMain("replay", "--images", dir.toString(), "--corruption", "contrast").err())
                .startsWith("error: --corruption applies to CIFAR-10 pixels");
        assertThat(DeclaredFlagsTest.runMain("demo", "--shift-after", "100").err())
                .startsWith("error: --shift-after says when --shift starts: give --shift NAME:SEVERITY too");
        DeclaredFlagsTest.Result badShift = DeclaredFlagsTest.runMain("demo", "--shift", "contrast:9");
        assertThat(badShift.exit()).isEqualTo(2);
        assertThat(badShift.err()).startsWith("error: --shift must be NAME:SEVERITY, a corruption (gaussian_noise, ");
        assertThat(DeclaredFlagsTest.runMain("corrupt", "--out", dir.resolve("x").toString()).err())
                .startsWith("error: Missing required option: '--shift=NAME:SEVERITY'");
    }
}

package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.trainer.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --precision}: a run trains in the precision named, or this CPU's fastest, and prints which. */
class TrainCommandTest {

    @Test
    void trainsInEachPrecisionAndPrintsWhichOne(@TempDir Path dir) {
        assertThat(trainQuickly(dir.resolve("float32"), "float32")).contains("precision        float32\n");
        assertThat(trainQuickly(dir.resolve("bfloat16"), "bfloat16"))
                .contains("precision        bfloat16 convolutions, float32 weights and updates");
    }

    @Test
    void autoIsTheFastestPrecisionOfThisCpu(@TempDir Path dir) {
        String printed = trainQuickly(dir.resolve("auto"), "auto");
        assertThat(printed).contains("precision        " + Precision.fastestHere().label());
    }

    /** One epoch on 512 training images, nothing held out; returns what the run printed. */
    private static String trainQuickly(Path out, String precision) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            exit = Main.commandLine().execute("train", "--data", CifarTestData.cifar10().location().toString(),
                    "--out", out.toString(), "--epochs", "1", "--train-limit", "512", "--holdout", "0",
                    "--precision", precision);
        } finally {
            System.setOut(original);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        assertThat(Files.isRegularFile(out.resolve("model.onnx"))).isTrue();
        return text;
    }
}

package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.testkit.CifarTestData;

/**
 * SIGTERM while the demo replays and scores: the demo closes its scorer, metrics stream and broker itself and only
 * then exits as SIGTERM says (143). Left to the JVM's shutdown, ONNX Runtime's hook would release the library under
 * the model the scorer is running.
 */
class DemoStopTest {

    @Test
    void aDemoStoppedWhileItScoresClosesWhatItStartedAndExitsAsSigtermSays(@TempDir Path dir) {
        Path model = ScorerKillTest.foreignModel(dir);
        try (CliProcess demo = CliProcess.start(dir, "demo", List.of("demo", "--model", model.toString(),
                "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits",
                "--data", CifarTestData.cifar10().location().toString(), "--limit", "5000", "--rate", "250",
                "--http-port", "0", "--work-dir", dir.resolve("demo").toString()))) {
            demo.awaitLog(Pattern.compile("Replaying"), Duration.ofMinutes(3));
            CliProcess.pause(Duration.ofSeconds(3)); // the scorer is scoring: 250 images a second arrive

            int exit = demo.terminate(Duration.ofMinutes(2));

            assertThat(exit).as("exit code after SIGTERM; log:\n" + demo.log()).isEqualTo(143);
            assertThat(demo.log()).as("the demo closed what it started before the JVM exited")
                    .contains("Demo stopped: the scorer, the metrics stream and the broker are closed")
                    .doesNotContain("Final cumulative metrics")
                    .doesNotContain("A fatal error has been detected");
        }
    }
}

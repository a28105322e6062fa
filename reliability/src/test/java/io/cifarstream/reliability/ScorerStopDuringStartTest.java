package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while a scorer is still starting: the stop waits for the start to end, then the scorer exits as SIGTERM
 * says (143). A JVM that exited in the middle of the start instead could do so while ONNX Runtime was building its
 * session and crash in native code (exit 134).
 */
class ScorerStopDuringStartTest {

    @Test
    void aScorerStoppedWhileItWaitsForItsBrokerFinishesItsStartAndExitsAsSigtermSays(@TempDir Path dir) {
        Path model = ScorerKillTest.foreignModel(dir);
        // Nothing listens on port 1: once the model is loaded, the start waits for a broker until it gives up.
        try (CliProcess scorer = CliProcess.start(dir, "scorer", List.of("score", "--bootstrap-server", "localhost:1",
                "--model", model.toString(), "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5",
                "--output", "logits", "--threads", "1"))) {
            scorer.awaitLog(Pattern.compile("loaded from"), Duration.ofMinutes(2));

            int exit = scorer.terminate(Duration.ofMinutes(2));

            assertThat(exit).as("exit code after SIGTERM").isEqualTo(143);
            assertThat(scorer.log()).as("the start ran to its end before the JVM exited")
                    .contains("Scorer stopped while it started: no Kafka broker at localhost:1");
        }
    }
}

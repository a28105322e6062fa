package io.cifarstream.cli;

import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.ScorerConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import org.junit.jupiter.api.io.TempDir;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cifarstream.inference.OutputKind;
import picocli.CommandLine;

/** How {@code cifar-stream score}'s flags become a scorer configuration. */
class ScoreCommandTest {

    @TempDir
    static Path dir;

    /** The configuration of {@code score} with these flags; each --model file is made (empty) under {@link #dir}. */
    private static ScorerConfig parse(String... args) {
        String[] inDir = withModelFiles(args);
        ScoreCommand command = new ScoreCommand();
        new CommandLine(command).parseArgs(inDir);
        return command.config();
    }

    private static String[] withModelFiles(String... args) {
        String[] inDir = args.clone();
        for (int i = 1; i < inDir.length; i++) {
            if (inDir[i - 1].equals("--model")) {
                int eq = inDir[i].indexOf('=');
                Path file = dir.resolve(inDir[i].substring(eq + 1));
                try {
                    Files.createDirectories(file.getParent());
                    Files.write(file, new byte[0]);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                inDir[i] = inDir[i].substring(0, eq + 1) + file;
            }
        }
        return inDir;
    }

    @Test
    void defaultsAreTheProjectsTopicsAndALocalBroker() {
        ScorerConfig config = parse("--model", "models/cnn.onnx");

        assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.topics().images()).isEqualTo("images");
        assertThat(config.topics().predictions()).isEqualTo("predictions");
        assertThat(config.topics().deadLetters()).isEqualTo("dead-letters");
        assertThat(config.models()).containsExactly(new ModelSpec("cnn", dir.resolve("models/cnn.onnx")));
        assertThat(config.maxBatch()).isEqualTo(256);
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.backlogBatch()).isEqualTo(1024);
        assertThat(config.transactionalId()).isEqualTo("cifar-stream-scorer-cifar-stream-scorer-0");
        assertThat(config.http()).isEmpty();
    }

    @Test
    void everyFlagReachesTheConfiguration() {
        ScorerConfig config = parse("--bootstrap-server", "kafka:9093", "--model", "champion=a.onnx",
                "--model", "challenger=b.onnx", "--images-topic", "in", "--predictions-topic", "out",
                "--dead-letters-topic", "dlq", "--group", "g", "--instance-id", "7", "--max-batch", "64",
                "--linger-ms", "5", "--backlog-batch", "512", "--http-port", "0", "--http-host", "0.0.0.0", "--input-mean", "0.5,0.5,0.5",
                "--input-std", "0.5,0.5,0.5", "--output", "logits", "--device", "cpu", "--threads", "1");

        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9093");
        assertThat(config.models()).extracting(ModelSpec::id).containsExactly("champion", "challenger");
        assertThat(config.topics().images()).isEqualTo("in");
        assertThat(config.topics().predictions()).isEqualTo("out");
        assertThat(config.topics().deadLetters()).isEqualTo("dlq");
        assertThat(config.transactionalId()).isEqualTo("cifar-stream-scorer-g-7");
        assertThat(config.maxBatch()).isEqualTo(64);
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.backlogBatch()).isEqualTo(512);
        assertThat(config.http()).hasValueSatisfying(a -> assertThat(a.getPort()).isZero());
        assertThat(config.modelOptions().output()).isEqualTo(Optional.of(OutputKind.LOGITS));
        assertThat(config.modelOptions().threads()).isEqualTo(1);
    }

    @Test
    void aBacklogBatchIsNeverSmallerThanTheMaximumBatch() {
        assertThat(parse("--model", "m.onnx", "--max-batch", "2048").backlogBatch()).isEqualTo(2048);
        assertThat(parse("--model", "m.onnx", "--max-batch", "64", "--backlog-batch", "1").backlogBatch()).isEqualTo(64);
    }

    @Test
    void theMetricsEndpointBindsLoopbackAndTheTokenFlagGuardsIt() {
        ScorerConfig open = parse("--model", "m.onnx", "--http-port", "0");
        assertThat(open.http()).hasValueSatisfying(a -> assertThat(a.getHostString()).isEqualTo("127.0.0.1"));
        ScorerConfig guarded = parse("--model", "m.onnx", "--http-port", "0", "--http-token", "t0ken");
        assertThat(guarded.httpToken().admits("Bearer t0ken")).isTrue();
        assertThat(guarded.httpToken().admits(null)).isFalse();
        assertThat(guarded.toString()).doesNotContain("t0ken");
    }

    @Test
    void clashingModelIdsAreAUsageErrorNamingTheFlagBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err))
                .execute(withModelFiles("score", "--model", "a/cnn.onnx", "--model", "b/cnn.onnx"));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: --model ids must differ")
                .contains("--model champion=a.onnx --model challenger=b.onnx");
    }

    @Test
    void aModelFileThatDoesNotExistIsRefusedWhenTheFlagsAreRead() {
        assertThatThrownBy(() -> DeclaredFlags.check(Main.commandLine().parseArgs("score", "--model",
                "x=" + dir.resolve("none.onnx")))).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--model must be an existing file").hasMessageContaining("none.onnx");
    }

    @Test
    void helpDescribesTheCommand() {
        StringWriter out = new StringWriter();
        new CommandLine(new ScoreCommand()).setOut(new PrintWriter(out)).execute("--help");

        assertThat(out.toString()).contains("Score image events from Kafka with ONNX models, exactly once")
                .contains("--instance-id").contains("--max-batch").contains("--input-mean");
    }
}

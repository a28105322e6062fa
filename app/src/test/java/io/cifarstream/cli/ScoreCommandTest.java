package io.cifarstream.cli;

import io.cifarstream.console.Setting;
import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.ScorerConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cifarstream.console.UserError;
import io.cifarstream.inference.OutputKind;
import picocli.CommandLine;

/** How {@code cifar-stream score}'s flags become a scorer configuration. */
class ScoreCommandTest {

    private static ScorerConfig parse(String... args) {
        ScoreCommand command = new ScoreCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }

    @Test
    void defaultsAreTheProjectsTopicsAndALocalBroker() {
        ScorerConfig config = parse("--model", "models/cnn.onnx");

        assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.topics().images()).isEqualTo("images");
        assertThat(config.topics().predictions()).isEqualTo("predictions");
        assertThat(config.topics().deadLetters()).isEqualTo("dead-letters");
        assertThat(config.models()).containsExactly(new ModelSpec("cnn", Path.of("models/cnn.onnx")));
        assertThat(config.maxBatch()).isEqualTo(256);
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.transactionalId()).isEqualTo("cifar-stream-scorer-cifar-stream-scorer-0");
        assertThat(config.http()).isEmpty();
    }

    @Test
    void everyFlagReachesTheConfiguration() {
        ScorerConfig config = parse("--bootstrap-server", "kafka:9093", "--model", "champion=a.onnx",
                "--model", "challenger=b.onnx", "--images-topic", "in", "--predictions-topic", "out",
                "--dead-letters-topic", "dlq", "--group", "g", "--instance-id", "7", "--max-batch", "64",
                "--linger-ms", "5", "--http-port", "0", "--http-host", "0.0.0.0", "--input-mean", "0.5,0.5,0.5",
                "--input-std", "0.5,0.5,0.5", "--output", "logits", "--device", "cpu", "--threads", "1");

        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9093");
        assertThat(config.models()).extracting(ModelSpec::id).containsExactly("champion", "challenger");
        assertThat(config.topics().images()).isEqualTo("in");
        assertThat(config.topics().predictions()).isEqualTo("out");
        assertThat(config.topics().deadLetters()).isEqualTo("dlq");
        assertThat(config.transactionalId()).isEqualTo("cifar-stream-scorer-g-7");
        assertThat(config.maxBatch()).isEqualTo(64);
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.http()).hasValueSatisfying(a -> assertThat(a.getPort()).isZero());
        assertThat(config.modelOptions().output()).isEqualTo(Optional.of(OutputKind.LOGITS));
        assertThat(config.modelOptions().threads()).isEqualTo(1);
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
    void clashingModelIdsAreAUserErrorNamingTheFix() {
        assertThatThrownBy(() -> parse("--model", "a/cnn.onnx", "--model", "b/cnn.onnx"))
                .isInstanceOf(UserError.class).hasMessageContaining("model ids must differ")
                .hasMessageContaining("champion=a.onnx and challenger=b.onnx")
                .extracting(e -> ((UserError) e).setting()).isEqualTo(Setting.MODEL);
    }

    @Test
    void helpDescribesTheCommand() {
        StringWriter out = new StringWriter();
        new CommandLine(new ScoreCommand()).setOut(new PrintWriter(out)).execute("--help");

        assertThat(out.toString()).contains("Score image events from Kafka with ONNX models, exactly once")
                .contains("--instance-id").contains("--max-batch").contains("--input-mean");
    }
}

package io.cifarstream.kafka;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A client that shares no code with Java's, kcat (librdkafka), talks to the embedded broker both ways.
 * Skipped where kcat is not installed; CI installs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KcatInteropTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path workDir;

    private EmbeddedKafkaBroker broker;
    private KafkaSettings settings;

    @BeforeAll
    void startBrokerWhenKcatIsInstalled() {
        assumeTrue(kcatOnPath(), "kcat is not on the PATH (install it: apt-get install kcat)");
        broker = EmbeddedKafkaBroker.builder().start();
        settings = KafkaSettings.of(broker.bootstrapServers());
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void whatKcatProducesJavaConsumes() throws Exception {
        String topic = "from-kcat-" + UUID.randomUUID();
        new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 1)));
        List<String> lines = IntStream.range(0, 200).mapToObj(i -> "key-" + i + ":value " + i).collect(Collectors.toList());

        String output = kcat(String.join("\n", lines) + "\n", "-b", broker.bootstrapServers(), "-t", topic, "-P", "-K", ":");

        assertThat(output).isEmpty();
        List<ConsumerRecord<String, String>> records = TopicContents.readToEnd(settings.consumer("java"), topic, TIMEOUT);
        assertThat(records).extracting(record -> record.key() + ":" + record.value()).containsExactlyElementsOf(lines);
    }

    @Test
    void whatJavaProducesKcatConsumes() throws Exception {
        String topic = "from-java-" + UUID.randomUUID();
        new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 1)));
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(settings.producer(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>(topic, "id-" + i, "écrit en Java " + i));
                sent.add("id-" + i + "=écrit en Java " + i);
            }
        }

        String output = kcat("", "-b", broker.bootstrapServers(), "-t", topic, "-C", "-o", "beginning", "-e", "-q",
                "-f", "%k=%s\\n");

        assertThat(output.lines()).containsExactlyElementsOf(sent);
    }

    /** Runs kcat with {@code input} on its stdin and returns its stdout; stdout goes to a file so a hung kcat cannot block the test. */
    private String kcat(String input, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(List.of(arguments));
        Path stdout = Files.createTempFile(workDir, "kcat-", ".out");
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kcat did not finish within " + TIMEOUT + ": " + command);
        }
        assertThat(process.exitValue()).as("kcat exit code for " + command).isZero();
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    private static boolean kcatOnPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, "kcat"))
                .anyMatch(Files::isExecutable);
    }
}

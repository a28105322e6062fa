package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire format works for a client with no Java: src/test/python/avro_wire_client.py reads the .avsc
 * files, computes the fingerprint itself and talks to AvroSerde in both directions. Runs where
 * {@code /usr/bin/python3} has the avro package (Debian: python3-avro).
 */
class PythonClientInteropTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path CLIENT = Path.of("src/test/python/avro_wire_client.py");
    private static final Path AVRO_DIR = Path.of("src/main/avro");

    @BeforeAll
    static void requirePythonAvro() {
        assumeTrue(pythonHasAvro(), PYTHON + " with the avro package is needed (apt-get install python3-avro)");
    }

    @Test
    void pythonDecodesARealImageEventWrittenByJava(@TempDir Path dir) throws Exception {
        ImageEvent event = Cifar10Sample.imageEvents().get(3);
        Path value = dir.resolve("image-event.bin");
        Files.write(value, AvroSerde.imageEvents().serializer().serialize("images", event));

        Map<String, String> decoded = parse(run("decode-image", AVRO_DIR.resolve("ImageEvent.avsc"), value));

        assertThat(decoded).containsEntry("fingerprint",
                String.format("%016x", SchemaNormalization.parsingFingerprint64(ImageEvent.getClassSchema())));
        assertThat(decoded).containsEntry("id", "test-00003")
                .containsEntry("source", "cifar10:test")
                .containsEntry("label", "6")
                .containsEntry("width", "32").containsEntry("height", "32").containsEntry("channels", "3")
                .containsEntry("encoding", "RAW_CHW_U8")
                .containsEntry("event_time", Long.toString(event.getEventTime().toEpochMilli()))
                .containsEntry("data_length", "3072")
                .containsEntry("data_sha256", sha256(event.getData()));
    }

    @Test
    void javaDecodesALabelWrittenByPython(@TempDir Path dir) throws Exception {
        Path value = dir.resolve("label.bin");

        run("encode-label", AVRO_DIR.resolve("Label.avsc"), value, "test-00003", "6", "1764000000123");
        Label label = AvroSerde.labels().deserializer().deserialize("labels", Files.readAllBytes(value));

        assertThat(label.getImageId()).isEqualTo("test-00003");
        assertThat(label.getLabel()).isEqualTo(6);
        assertThat(label.getLabelTime()).isEqualTo(Instant.ofEpochMilli(1_764_000_000_123L));
    }

    private static String run(String command, Path avsc, Path file, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(PYTHON, "-B", CLIENT.toString(), command, avsc.toString(),
                file.toString()));
        args.addAll(List.of(more));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("python finished").isTrue();
        assertThat(process.exitValue()).as("python exit status; output:%n%s", output).isZero();
        return output;
    }

    private static Map<String, String> parse(String output) {
        Map<String, String> entries = new LinkedHashMap<>();
        output.lines().map(line -> line.split("=", 2)).forEach(kv -> entries.put(kv[0], kv[1]));
        return entries;
    }

    private static String sha256(ByteBuffer data) throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(data.duplicate());
        return HexFormat.of().formatHex(digest.digest());
    }

    private static boolean pythonHasAvro() {
        try {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import avro").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package io.cifarstream.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The ONNX checker of the {@code onnx} Python package (Debian's python3-onnx), an independent validator of the
 * models this project writes: {@code onnx.checker.check_model(full_check=True)}, shape inference included. A test
 * that calls it is skipped where python3-onnx is not installed.
 */
public final class OnnxChecker {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private OnnxChecker() {
    }

    /** The checker's verdict on {@code model}: its exit status and what it printed, after the opset version and metadata keys. */
    public record Verdict(int exitStatus, String output) {
    }

    /** Runs the checker on {@code model}; skips the calling test when python3-onnx is missing. */
    public static Verdict check(Path model) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import onnx").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "python3-onnx not installed");

        Process check = new ProcessBuilder(PYTHON.toString(), "-c", String.join("\n",
                "import sys, onnx",
                "m = onnx.load(sys.argv[1])",
                "onnx.checker.check_model(m, full_check=True)",
                "print(m.opset_import[0].version, [p.key for p in m.metadata_props])"), model.toString())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(60, TimeUnit.SECONDS)) {
            check.destroyForcibly();
            return new Verdict(-1, output + "(timed out)");
        }
        return new Verdict(check.exitValue(), output);
    }
}

package io.cifarstream.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code cifar-stream} run as a real child process ({@code java -cp <this JVM's classpath> io.cifarstream.cli.Main}),
 * its standard output and error captured to files. The test's own resources are left off the classpath, so the
 * child logs exactly as {@code bin/cifar-stream} does.
 */
final class CliProcess implements AutoCloseable {

    /** How a run ended: exit code (-1 if it had to be killed), what it printed, and whether it overran its limit. */
    record Finished(int exit, String stdout, String stderr, boolean timedOut) {
        /** Everything the process printed, both streams. */
        String output() {
            return stdout + stderr;
        }
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code cifar-stream args...} with its output in {@code dir}/{@code name}.out and .err. */
    static CliProcess start(Path dir, String name, List<String> args) {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", classpath, "io.cifarstream.cli.Main"));
        command.addAll(args);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        try {
            return new CliProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
    }

    /** Runs it to the end, or kills it after {@code limit} (then {@code timedOut} is true). */
    static Finished run(Path dir, String name, Duration limit, List<String> args) {
        try (CliProcess process = start(dir, name, args)) {
            return process.await(limit);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What it printed to standard output so far. */
    String stdout() {
        return read(stdout);
    }

    /** Waits for it to exit; kills it after {@code limit}. */
    Finished await(Duration limit) {
        boolean exited;
        try {
            exited = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the child process", e);
        }
        return new Finished(exited ? process.exitValue() : -1, read(stdout), read(stderr), !exited);
    }

    /** Stops it as Ctrl-C would (SIGTERM, which runs its shutdown hooks) and waits for it. */
    Finished stop(Duration limit) {
        process.destroy();
        return await(limit);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code cifar-stream} run as a real child process, as an operator runs it: {@code java -cp <this JVM's classpath>
 * io.cifarstream.cli.Main}, OpenMP threads that sleep instead of spinning (several busy JVMs share two cores), standard
 * output and error captured to files. The test's own resources are left off the classpath, so the child logs exactly
 * as {@code bin/cifar-stream} does. {@link #kill()} is SIGKILL (no shutdown hook, no clean commit), {@link #stop} and
 * {@link #terminate} SIGTERM.
 */
final class CliProcess implements AutoCloseable {

    /** How a run ended: exit code (-1 if it had to be killed), what it printed, and whether it overran its limit. */
    record Finished(int exit, String stdout, String stderr, boolean timedOut) {
        /** Everything the process printed, both streams. */
        String output() {
            return stdout + stderr;
        }
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final long startedNanos = System.nanoTime();

    private CliProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
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
            return new CliProcess(name, builder.start(), out, err);
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

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long startedNanos() {
        return startedNanos;
    }

    /** The operating-system process, e.g. to read its CPU time. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** What it printed to standard output so far. */
    String stdout() {
        return read(stdout);
    }

    /** Everything it printed so far, standard output then standard error. */
    String log() {
        return read(stdout) + read(stderr);
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
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
        return new Finished(exited ? process.exitValue() : -1, read(stdout), read(stderr), !exited);
    }

    /** Stops it as Ctrl-C would (SIGTERM, which runs its shutdown hooks) and waits for it. */
    Finished stop(Duration limit) {
        process.destroy();
        return await(limit);
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM (the shutdown hooks run), then waits for the process to be gone; returns its exit code. */
    int terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Waits for the process to exit on its own; returns its exit code, fails the test after {@code timeout}. */
    int awaitExit(Duration timeout) {
        Finished finished = await(timeout);
        if (finished.timedOut()) {
            throw new AssertionError(name + " did not exit within " + timeout + "; log:\n" + finished.output());
        }
        return finished.exit();
    }

    /** Fails the test with the process's log if it has exited: it was meant to be running. */
    void requireAlive(String when) {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + " " + when + "; log:\n" + log());
        }
    }

    /** The first group of the first log line matching {@code pattern}, waiting for it up to {@code timeout}. */
    String awaitLog(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> match = find(pattern);
            if (match.isPresent()) {
                return match.get();
            }
            requireAlive("before logging " + pattern);
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not log " + pattern + " within " + timeout + "; log:\n" + log());
            }
            pause(Duration.ofMillis(50));
        }
    }

    private Optional<String> find(Pattern pattern) {
        Matcher matcher = pattern.matcher(log());
        return matcher.find() ? Optional.of(matcher.groupCount() > 0 ? matcher.group(1) : matcher.group()) : Optional.empty();
    }

    /** Kills the process if it still runs: for {@code finally} blocks, so a failed test leaves no orphan. */
    void killIfAlive() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public void close() {
        killIfAlive();
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
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

package io.cifarstream.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cifarstream.cli.Main;

/**
 * One {@code cifar-stream} command ({@link Main}) in its own JVM, as an operator runs it: the test JVM's class path,
 * a 512 MB heap, OpenMP threads that sleep instead of spinning (several busy JVMs share two cores), stdout and
 * stderr to one log file. {@link #kill()} is SIGKILL: no shutdown hook, no clean commit.
 */
final class CliProcess {

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();

    private CliProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code cifar-stream ARGS...}; {@code name} names the log file under {@code logDir} and the messages. */
    static CliProcess start(String name, Path logDir, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dai.djl.offline=true",
                Main.class.getName()));
        command.addAll(args);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        try {
            return new CliProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
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
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(name + " did not exit within " + timeout + "; log:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
        return process.exitValue();
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

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process if it still runs: for {@code finally} blocks, so a failed test leaves no orphan. */
    void killIfAlive() {
        if (process.isAlive()) {
            kill();
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

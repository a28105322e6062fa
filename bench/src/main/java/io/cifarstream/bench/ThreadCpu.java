package io.cifarstream.bench;

import io.cifarstream.inference.OnnxClassifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU seconds this process spent per group of threads, read from Linux's {@code /proc/self/task/<tid>/stat}, so
 * native threads count too (ONNX Runtime's pool threads are invisible to the JVM). The benchmark takes two readings
 * and subtracts them, to say where the cores went while the scorer and the broker shared them. Groups, by thread name
 * (at most 15 characters in /proc): {@code scorer} (the scoring loop, which is the first lane of each model call),
 * {@code scorer_commit} (the thread that writes and commits each batch's transaction), {@code onnx_lanes} (the
 * models' other lanes, see {@code OnnxClassifier}), {@code kafka_clients} (producer and consumer I/O threads),
 * {@code gc}, {@code jit} and {@code jvm_other} (the JVM's own threads), {@code bench} (the benchmark's load
 * generator and reader, threads {@code bench-load} and {@code bench-reader}) and {@code broker} (everything else:
 * the embedded broker's threads).
 * Empty where /proc is missing.
 */
record ThreadCpu(Map<String, Double> secondsByGroup) {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    /** The CPU seconds used so far, by group. */
    static ThreadCpu now() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String group : new String[] {"scorer", "scorer_commit", "onnx_lanes", "kafka_clients", "gc", "jit",
                "jvm_other", "bench", "broker"}) {
            seconds.put(group, 0.0);
        }
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadCpu(Map.of());
        }
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double used = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
                    seconds.merge(group(name), used, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read: its time is lost to this reading only.
                }
            });
        } catch (IOException e) {
            return new ThreadCpu(Map.of());
        }
        return new ThreadCpu(seconds);
    }

    private static String group(String name) {
        if (name.startsWith("scorer-commit")) {
            return "scorer_commit";
        }
        if (name.startsWith("scorer-")) {
            return "scorer";
        }
        if (name.startsWith("onnx-lane-")) {
            return "onnx_lanes";
        }
        if (name.startsWith("kafka-producer-") || name.startsWith("consumer_") || name.startsWith("kafka-coordinat")) {
            return "kafka_clients";
        }
        if (name.startsWith("bench-")) {
            return "bench";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "gc";
        }
        if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
            return "jit";
        }
        if (name.startsWith("VM ") || name.equals("Common-Cleaner") || name.startsWith("Reference")
                || name.equals("Finalizer") || name.equals("Signal Dispatch") || name.equals("Notification Thr")) {
            return "jvm_other";
        }
        return "broker";
    }

    /** The CPU seconds spent between {@code earlier} and this reading, by group. */
    Map<String, Double> since(ThreadCpu earlier) {
        Map<String, Double> delta = new LinkedHashMap<>();
        secondsByGroup.forEach((group, seconds) ->
                delta.put(group, Math.round((seconds - earlier.secondsByGroup.getOrDefault(group, 0.0)) * 100) / 100.0));
        return delta;
    }
}

package io.cifarstream.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.metrics.ConfusionMatrix;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaCluster;

/**
 * One run of the whole pipeline on the run's three-node cluster, each component a real process as an operator runs it:
 * {@code metrics}, {@code score}, then {@code replay} of the 10,000 CIFAR-10 test images with their labels on the
 * labels topic a second later. A follower thread reads the committed predictions ({@code read_committed}) and the
 * metrics API's count all along and keeps a {@link ProgressTimeline} of each, from which a test reads how long a fault
 * stopped them. {@link #finish} waits for every image to be scored and counted and says what came out.
 */
final class ClusterPipeline implements AutoCloseable {

    static final int PARTITIONS = 6;
    static final String MODEL = "foreign";
    private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern SCORER_ASSIGNED = Pattern.compile("now scores partitions");

    /** What came out of a run: the committed predictions, what the metrics stream counted, the CPU each part used. */
    record Outcome(long records, long distinct, long duplicates, long losses, long counted, ConfusionMatrix matrix,
            Map<String, Double> cpuSecondsWhileReplaying, double seconds) {
    }

    private final KafkaCluster cluster;
    private final KafkaSettings kafka;
    private final TopicNames topics;
    private final String group;
    private final String applicationId;
    private final Set<String> expected;
    private final CliProcess metrics;
    private final CliProcess scorer;
    private final CliProcess replay;
    private final MetricsApi api;
    private final ProgressTimeline committed = new ProgressTimeline();
    private final ProgressTimeline counted = new ProgressTimeline();
    private final Thread follower;
    private final Map<String, Double> cpuAtReplayStart;
    private final long replayStartedNanos;
    private volatile boolean following = true;
    /** The replay's CPU seconds as last seen: once it has exited the system no longer says. */
    private volatile double replayCpuSeconds;

    private ClusterPipeline(KafkaCluster cluster, Path dir, String name, Path model, int ratePerSecond) {
        this.cluster = cluster;
        this.kafka = cluster.settings();
        String prefix = "cluster-" + name + "-" + System.nanoTime() + "-";
        this.topics = TopicNames.defaults().withPrefix(prefix);
        this.group = prefix + "scorers";
        this.applicationId = prefix + "metrics";
        CifarImages images = CifarTestData.testSplit();
        this.expected = IntStream.range(0, images.size()).mapToObj(images::id).collect(Collectors.toSet());
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.images(), PARTITIONS),
                TopicSpec.of(topics.predictions(), PARTITIONS), TopicSpec.of(topics.labels(), PARTITIONS),
                TopicSpec.of(topics.metrics(), 1), TopicSpec.of(topics.deadLetters(), 1)));
        this.metrics = CliProcess.start(dir, "metrics", List.of("metrics",
                "--bootstrap-server", kafka.bootstrapServers(),
                "--predictions-topic", topics.predictions(), "--labels-topic", topics.labels(),
                "--metrics-topic", topics.metrics(), "--dead-letters-topic", topics.deadLetters(),
                "--state-dir", dir.resolve("metrics-state").toString(), "--http-port", "0",
                "--application-id", applicationId, "--instance-id", "only"));
        this.scorer = CliProcess.start(dir, "scorer", List.of("score",
                "--bootstrap-server", kafka.bootstrapServers(),
                "--model", MODEL + "=" + model,
                "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits", "--threads", "1",
                "--images-topic", topics.images(), "--predictions-topic", topics.predictions(),
                "--dead-letters-topic", topics.deadLetters(), "--partitions", String.valueOf(PARTITIONS),
                "--group", group, "--instance-id", "only"));
        // Both at work before the first image: a fault then meets a running pipeline, however slow the start.
        scorer.awaitLog(SCORER_ASSIGNED, STAGE_TIMEOUT);
        this.api = new MetricsApi(URI.create(metrics.awaitLog(MetricsKillTest.API, STAGE_TIMEOUT)), MODEL);
        awaitQueryable(api, metrics);
        this.follower = new Thread(this::follow, "pipeline-follower-" + name);
        follower.setDaemon(true);
        follower.start();
        this.cpuAtReplayStart = cpuSeconds();
        this.replayStartedNanos = System.nanoTime();
        this.replay = CliProcess.start(dir, "replay", List.of("replay", "--split", "test",
                "--rate", String.valueOf(ratePerSecond), "--label-delay", "1s",
                "--bootstrap-server", kafka.bootstrapServers(), "--images-topic", topics.images(),
                "--labels-topic", topics.labels(), "--partitions", String.valueOf(PARTITIONS)));
    }

    /** Waits until the metrics stream runs: its model list answers (503 while it starts and joins its group). */
    private static void awaitQueryable(MetricsApi api, CliProcess metrics) {
        long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
        while (api.get("/api/models").status() != 200) {
            metrics.requireAlive("while starting");
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the metrics stream did not start within " + STAGE_TIMEOUT + "; log:\n" + metrics.log());
            }
            CliProcess.pause(Duration.ofMillis(200));
        }
    }

    /** Starts metrics and scorer, waits until both are at work, then starts the replay at {@code ratePerSecond} images. */
    static ClusterPipeline start(KafkaCluster cluster, Path dir, String name, Path model, int ratePerSecond) {
        try {
            return new ClusterPipeline(cluster, Files.createDirectories(dir.resolve(name)), name, model, ratePerSecond);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TopicNames topics() {
        return topics;
    }

    /** The scorer's transactional id (its {@code --group} and {@code --instance-id}). */
    String scorerTransactionalId() {
        return "cifar-stream-scorer-" + group + "-only";
    }

    /** The metrics stream's application id, its consumer group. */
    String metricsApplicationId() {
        return applicationId;
    }

    CliProcess replay() {
        return replay;
    }

    ProgressTimeline committed() {
        return committed;
    }

    ProgressTimeline counted() {
        return counted;
    }

    /** Waits until {@code count} predictions are committed, every process alive. */
    void awaitCommitted(long count) {
        long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
        while (committed.latest() < count) {
            requireAlive("before " + count + " predictions were committed");
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + committed.latest() + " of " + count + " predictions committed within "
                        + STAGE_TIMEOUT + "; scorer log:\n" + scorer.log());
            }
            CliProcess.pause(Duration.ofMillis(20));
        }
    }

    /**
     * Waits until predictions and metrics flow again after a fault at {@code faultNanos}: each count has risen in the
     * last second at least 2 s after the fault, or is complete. Returns when each rose again after its longest pause.
     */
    Recovery awaitRecovery(long faultNanos) {
        long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
        while (!flowingAfter(committed, faultNanos, expected.size()) || !flowingAfter(counted, faultNanos, expected.size())) {
            requireAlive("while recovering from the fault");
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pipeline did not recover within " + STAGE_TIMEOUT + " (committed "
                        + committed.latest() + ", counted " + counted.latest() + ")");
            }
            CliProcess.pause(Duration.ofMillis(100));
        }
        long now = System.nanoTime();
        return new Recovery(committed.recoveryAfter(faultNanos, now), counted.recoveryAfter(faultNanos, now));
    }

    /** Kill to the first committed prediction again, and to the metrics counting again (empty: no rise seen). */
    record Recovery(Optional<Duration> predictions, Optional<Duration> metrics) {

        String text() {
            return "predictions " + seconds(predictions) + ", metrics " + seconds(metrics);
        }

        private static String seconds(Optional<Duration> duration) {
            return duration.map(d -> String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0)).orElse("-");
        }
    }

    private static boolean flowingAfter(ProgressTimeline timeline, long faultNanos, int complete) {
        if (timeline.latest() >= complete) {
            return true;
        }
        long now = System.nanoTime();
        return now - faultNanos > TimeUnit.SECONDS.toNanos(2)
                && timeline.lastRiseNanos().map(rise -> rise > faultNanos && now - rise < TimeUnit.SECONDS.toNanos(1))
                        .orElse(false);
    }

    /**
     * Waits until the replay has published everything and exited 0, every image has a committed prediction and the
     * metrics stream counts them all; stops scorer and metrics cleanly; returns what came out.
     */
    Outcome finish() {
        int replayExit = replay.awaitExit(STAGE_TIMEOUT);
        if (replayExit != 0) {
            throw new AssertionError("replay exited with " + replayExit + "; log:\n" + replay.log());
        }
        long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
        while (committed.latest() < expected.size() || counted.latest() < expected.size()) {
            requireAlive("while the last images were scored and counted");
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + STAGE_TIMEOUT + ": " + committed.latest() + " committed, "
                        + counted.latest() + " counted");
            }
            CliProcess.pause(Duration.ofMillis(100));
        }
        double seconds = (System.nanoTime() - replayStartedNanos) / 1e9;
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpuSeconds().forEach((part, total) -> cpu.put(part, total - cpuAtReplayStart.getOrDefault(part, 0.0)));
        // A few more snapshot periods: a prediction counted twice would show now.
        CliProcess.pause(Duration.ofSeconds(2));
        ViewReport view = api.cumulative().orElseThrow(() -> new AssertionError("the metrics API stopped answering"));
        requireAlive("at the end");
        following = false;
        try {
            follower.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (CommittedKeys all = new CommittedKeys(kafka, topics.predictions()).readToEnd(Duration.ofMinutes(1))) {
            int scorerExit = scorer.terminate(Duration.ofSeconds(60));
            if (scorerExit != 143) {
                throw new AssertionError("scorer exit code after SIGTERM " + scorerExit + "; log:\n" + scorer.log());
            }
            metrics.terminate(Duration.ofSeconds(60));
            return new Outcome(all.records(), all.distinct(), all.duplicates(), all.missing(expected),
                    view.report().count(), view.report().confusion(), cpu, seconds);
        }
    }

    /** The images offered: the 10,000 ids of the test split. */
    int size() {
        return expected.size();
    }

    /** Fails the test with the process's log if scorer or metrics died: they must ride out every fault. */
    void requireAlive(String when) {
        scorer.requireAlive(when);
        metrics.requireAlive(when);
    }

    /** CPU seconds so far of each part: scorer, metrics, replay, each Kafka node, and this JVM. */
    private Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("scorer", CpuTime.seconds(scorer.handle()));
        cpu.put("metrics", CpuTime.seconds(metrics.handle()));
        cpu.put("replay", replayCpuSeconds);
        for (int node : cluster.nodeIds()) {
            if (cluster.isRunning(node)) {
                cpu.put("kafka-" + node, CpuTime.seconds(cluster.process(node)));
            }
        }
        cpu.put("test JVM", CpuTime.seconds(ProcessHandle.current()));
        return cpu;
    }

    private void follow() {
        try (CommittedKeys keys = new CommittedKeys(kafka, topics.predictions())) {
            long nextApiCall = 0;
            while (following) {
                committed.saw(System.nanoTime(), keys.poll(Duration.ofMillis(50)));
                if (System.nanoTime() >= nextApiCall) {
                    api.cumulative().ifPresent(view -> counted.saw(System.nanoTime(), view.report().count()));
                    if (replay != null && replay.isAlive()) {
                        replayCpuSeconds = Math.max(replayCpuSeconds, CpuTime.seconds(replay.handle()));
                    }
                    nextApiCall = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                }
            }
        }
    }

    @Override
    public void close() {
        following = false;
        List<CliProcess> all = new ArrayList<>(List.of(scorer, metrics));
        if (replay != null) {
            all.add(replay);
        }
        all.forEach(CliProcess::killIfAlive);
    }
}

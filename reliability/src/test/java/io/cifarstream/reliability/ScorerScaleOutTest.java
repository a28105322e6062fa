package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBrokerExtension;
import io.cifarstream.testkit.KafkaCluster;

/**
 * Scorers scaled out on the three-node cluster: the throughput of 1, 2 and 3 instances sharing the images topic's six
 * partitions (with the CPU each part used, to say what one core per instance would give), and instances joining and
 * leaving mid-stream (cooperative rebalancing) with every image committed exactly once.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class ScorerScaleOutTest {

    static final int PARTITIONS = 6;
    /** Images a second while scorers join and leave; the publisher waits for each change, so each falls mid-stream. */
    static final int JOIN_LEAVE_RATE = 1000;
    static final int MARGIN = 500;
    private static final Pattern ASSIGNED = Pattern.compile("now scores partitions");

    @Test
    @Tag(ClusterMatrix.TAG)
    void oneTwoAndThreeScorersEachScoreTheTenThousandImagesExactlyOnceAndTheirThroughputIsMeasured(KafkaCluster cluster,
            ReliabilityTable table, @TempDir Path dir) throws Exception {
        CifarImages images = CifarTestData.testSplit();
        Set<String> expected = ids(images);
        Path model = ScorerKillTest.foreignModel(dir);
        List<String> figures = new ArrayList<>();
        double scorerMillisPerImage = 0;
        double kafkaMillisPerImage = 0;
        double load = CpuTime.loadAverage();
        for (int instances = 1; instances <= 3; instances++) {
            KafkaSettings kafka = cluster.settings();
            TopicNames topics = createTopics(kafka, "scale-" + instances);
            String group = "scale-" + instances + "-" + System.nanoTime();
            List<CliProcess> scorers = new ArrayList<>();
            try (CommittedKeys committed = new CommittedKeys(kafka, topics.predictions())) {
                for (int i = 1; i <= instances; i++) {
                    scorers.add(startScorer(kafka, topics, model, dir, group, instances + "-of-" + instances + "-" + i));
                }
                awaitStableGroup(kafka, group, instances, scorers);
                Map<String, Double> before = cpu(cluster, scorers);
                long begin = System.nanoTime();
                ScorerKillTest.publish(kafka, topics, images, 100_000, () -> Integer.MAX_VALUE);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (committed.poll(Duration.ofMillis(20)) < images.size()) {
                    scorers.forEach(s -> s.requireAlive("while scoring"));
                    assertThat(System.nanoTime()).as("time out scoring with %d instances", instances).isLessThan(deadline);
                }
                double seconds = (System.nanoTime() - begin) / 1e9;
                Map<String, Double> used = minus(cpu(cluster, scorers), before);
                double scorerCpu = used.entrySet().stream().filter(e -> e.getKey().startsWith("scorer"))
                        .mapToDouble(Map.Entry::getValue).sum();
                double kafkaCpu = used.entrySet().stream().filter(e -> e.getKey().startsWith("kafka"))
                        .mapToDouble(Map.Entry::getValue).sum();
                if (instances == 1) {
                    scorerMillisPerImage = scorerCpu * 1000 / images.size();
                    kafkaMillisPerImage = kafkaCpu * 1000 / images.size();
                }
                figures.add(String.format(Locale.ROOT, "%d instance%s: %,.0f images/s (CPU s: scorers %.1f, Kafka %.1f,"
                        + " publisher and reader %.1f)", instances, instances == 1 ? "" : "s", images.size() / seconds,
                        scorerCpu, kafkaCpu, used.get("test JVM")));
                committed.readToEnd(Duration.ofMinutes(1));
                assertThat(committed.missing(expected)).isZero();
                assertThat(committed.duplicates()).isZero();
                for (CliProcess scorer : scorers) {
                    assertThat(scorer.terminate(Duration.ofSeconds(60))).as(scorer.name() + " exit").isEqualTo(143);
                }
            } finally {
                scorers.forEach(CliProcess::killIfAlive);
            }
        }
        String prediction = String.format(Locale.ROOT, "per image a scorer uses %.2f ms of CPU and the three Kafka nodes"
                + " %.2f ms, so with one core per scorer instance each would score about %,.0f images/s, and three"
                + " about %,.0f, while Kafka needs %.2f cores for that", scorerMillisPerImage, kafkaMillisPerImage,
                1000 / scorerMillisPerImage, 3000 / scorerMillisPerImage, 3000 / scorerMillisPerImage * kafkaMillisPerImage / 1000);
        table.record(new ReliabilityTable.Measurement("scorer throughput by instance count, "
                + Runtime.getRuntime().availableProcessors() + " cores shared by everything, 1-min load average "
                + String.format(Locale.ROOT, "%.1f", load) + " at the start", String.join("; ", figures) + ". " + prediction));
        System.out.println("scorer scale-out: " + String.join("; ", figures) + ". " + prediction);
    }

    @Test
    void scorersJoiningAndLeavingMidStreamCommitEveryImageExactlyOnce(KafkaCluster cluster, ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        KafkaSettings kafka = cluster.settings();
        TopicNames topics = createTopics(kafka, "join-leave");
        String group = "join-leave-" + System.nanoTime();
        CifarImages images = CifarTestData.testSplit();
        Set<String> expected = ids(images);
        Path model = ScorerKillTest.foreignModel(dir);
        // Scorer a scores alone, b joins at 2,000 committed, c at 4,000; b leaves at 6,000, c at 8,000.
        List<Integer> changes = List.of(2_000, 4_000, 6_000, 8_000);
        AtomicInteger allowed = new AtomicInteger(changes.get(0) + MARGIN);
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(
                () -> ScorerKillTest.publish(kafka, topics, images, JOIN_LEAVE_RATE, allowed::get));
        Map<String, CliProcess> scorers = new LinkedHashMap<>();
        ProgressTimeline timeline = new ProgressTimeline();
        List<String> pauses = new ArrayList<>();
        try (CommittedKeys committed = new CommittedKeys(kafka, topics.predictions())) {
            scorers.put("a", startScorer(kafka, topics, model, dir, group, "a"));
            for (int change = 0; change < changes.size(); change++) {
                awaitCommitted(committed, timeline, changes.get(change), scorers.values());
                long at = System.nanoTime();
                String what = switch (change) {
                    case 0 -> join(scorers, "b", kafka, topics, model, dir, group);
                    case 1 -> join(scorers, "c", kafka, topics, model, dir, group);
                    case 2 -> leave(scorers, "b");
                    default -> leave(scorers, "c");
                };
                allowed.set(change + 1 < changes.size() ? changes.get(change + 1) + MARGIN : images.size());
                awaitCommitted(committed, timeline, changes.get(change) + MARGIN / 2, scorers.values());
                pauses.add(what + ": longest pause " + timeline.longestPauseAfter(at, System.nanoTime())
                        .map(p -> String.format(Locale.ROOT, "%.1f s", p.length().toMillis() / 1000.0)).orElse("-"));
            }
            publishing.get(3, TimeUnit.MINUTES);
            awaitCommitted(committed, timeline, images.size(), scorers.values());
            committed.readToEnd(Duration.ofMinutes(1));
            table.record(new ReliabilityTable.ClusterRow("scorers 1 → 2 → 3 → 2 → 1: instances joining and leaving"
                    + " (SIGTERM) mid-stream, cooperative rebalancing", changes.size(), expected.size(),
                    committed.distinct(), committed.duplicates(), committed.missing(expected), "not in this run",
                    String.join("; ", pauses), committed.records() == expected.size() && committed.missing(expected) == 0
                            ? "exactly once" : "NOT exactly once"));
            assertThat(committed.missing(expected)).as("images without a committed prediction").isZero();
            assertThat(committed.duplicates()).as("images with more than one committed prediction").isZero();
            assertThat(committed.records()).isEqualTo(expected.size());
            assertThat(scorers.get("a").terminate(Duration.ofSeconds(60))).isEqualTo(143);
        } finally {
            allowed.set(Integer.MAX_VALUE);
            scorers.values().forEach(CliProcess::killIfAlive);
        }
    }

    private static String join(Map<String, CliProcess> scorers, String id, KafkaSettings kafka, TopicNames topics,
            Path model, Path dir, String group) {
        scorers.put(id, startScorer(kafka, topics, model, dir, group, id));
        return id + " joined";
    }

    private static String leave(Map<String, CliProcess> scorers, String id) {
        int exit = scorers.remove(id).terminate(Duration.ofSeconds(60));
        assertThat(exit).as("scorer " + id + " exit after SIGTERM").isEqualTo(143);
        return id + " left";
    }

    private static void awaitCommitted(CommittedKeys committed, ProgressTimeline timeline, long count,
            java.util.Collection<CliProcess> scorers) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            long now = committed.poll(Duration.ofMillis(20));
            timeline.saw(System.nanoTime(), now);
            if (now >= count) {
                return;
            }
            scorers.forEach(s -> s.requireAlive("before " + count + " predictions were committed"));
            assertThat(System.nanoTime()).as("time out waiting for %d committed predictions", count).isLessThan(deadline);
        }
    }

    /** Waits until {@code members} instances share every partition of a stable group, each having logged its share. */
    private static void awaitStableGroup(KafkaSettings kafka, String group, int members, List<CliProcess> scorers)
            throws Exception {
        scorers.forEach(scorer -> scorer.awaitLog(ASSIGNED, Duration.ofMinutes(2)));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(kafka.admin())) {
            while (true) {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group).get(30, TimeUnit.SECONDS);
                int assigned = description.members().stream()
                        .mapToInt(member -> member.assignment().topicPartitions().size()).sum();
                if (description.groupState() == GroupState.STABLE && description.members().size() == members
                        && assigned == PARTITIONS) {
                    return;
                }
                assertThat(System.nanoTime()).as("group %s never stable with %d members", group, members)
                        .isLessThan(deadline);
                CliProcess.pause(Duration.ofMillis(200));
            }
        }
    }

    private static Map<String, Double> cpu(KafkaCluster cluster, List<CliProcess> scorers) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        scorers.forEach(scorer -> cpu.put(scorer.name(), CpuTime.seconds(scorer.handle())));
        cluster.nodeIds().forEach(node -> cpu.put("kafka-" + node, CpuTime.seconds(cluster.process(node))));
        cpu.put("test JVM", CpuTime.seconds(ProcessHandle.current()));
        return cpu;
    }

    private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((part, seconds) -> used.put(part, seconds - before.getOrDefault(part, 0.0)));
        return used;
    }

    private static TopicNames createTopics(KafkaSettings kafka, String name) {
        TopicNames topics = TopicNames.defaults().withPrefix("cluster-" + name + "-" + System.nanoTime() + "-");
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.images(), PARTITIONS),
                TopicSpec.of(topics.predictions(), PARTITIONS), TopicSpec.of(topics.deadLetters(), 1)));
        return topics;
    }

    private static Set<String> ids(CifarImages images) {
        return IntStream.range(0, images.size()).mapToObj(images::id).collect(Collectors.toSet());
    }

    private static CliProcess startScorer(KafkaSettings kafka, TopicNames topics, Path model, Path dir, String group,
            String instanceId) {
        return CliProcess.start(dir, "scorer-" + instanceId, List.of("score",
                "--bootstrap-server", kafka.bootstrapServers(),
                "--model", ClusterPipeline.MODEL + "=" + model,
                "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5", "--output", "logits", "--threads", "1",
                "--images-topic", topics.images(), "--predictions-topic", topics.predictions(),
                "--dead-letters-topic", topics.deadLetters(), "--partitions", String.valueOf(PARTITIONS),
                "--group", group, "--instance-id", instanceId));
    }
}

package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.metrics.ConfusionMatrix;
import io.cifarstream.testkit.KafkaBrokerExtension;
import io.cifarstream.testkit.KafkaCluster;

/**
 * The whole pipeline (replay, scorer, metrics stream: real processes) on the run's three-node cluster (replication 3,
 * minimum ISR 2) loses and duplicates nothing while Kafka nodes die under it: the leaders of the busiest partitions, the
 * scorer's transaction coordinator, the metrics application's group coordinator, the active KRaft controller, every
 * node in turn (a rolling restart), and two nodes at once. Each run publishes the 10,000 test images; each ends with
 * exactly one committed prediction per image, all 10,000 counted by the metrics stream, and the confusion matrix of an
 * undisturbed run on the same cluster. Kill moments are seeded ({@link KillCounts}); each run starts and ends with all
 * three nodes up and every partition fully replicated.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {

    /** Images a second: 10,000 in about 17 s, so that a fault at 1,000-4,000 and its recovery fall mid-replay. */
    static final int RATE = 600;
    /** Slower for the rolling restart and two nodes down, so that the restarts and the outage fall mid-replay. */
    static final int SLOW_RATE = 300;
    /** How long two nodes stay down: longer than the producers' patience before they say why they wait (12 s). */
    static final Duration TWO_DOWN = Duration.ofSeconds(16);
    static final Duration HEALTHY = Duration.ofMinutes(3);

    private Path dir;
    private KafkaCluster cluster;
    private ReliabilityTable table;
    private Path model;
    private ConfusionMatrix undisturbed;

    /** One run with no fault: its confusion matrix is what every disturbed run must end with. */
    @BeforeAll
    void anUndisturbedRun(KafkaCluster cluster, ReliabilityTable table, @TempDir Path dir) {
        this.dir = dir;
        this.cluster = cluster;
        this.table = table;
        this.model = ScorerKillTest.foreignModel(dir);
        double load = CpuTime.loadAverage();
        try (ClusterPipeline pipeline = ClusterPipeline.start(cluster, dir, "undisturbed", model, RATE)) {
            ClusterPipeline.Outcome outcome = pipeline.finish();
            undisturbed = outcome.matrix();
            record("none (undisturbed run)", 0, outcome, undisturbed, "-");
            table.record(new ReliabilityTable.Measurement("CPU of an undisturbed run on the cluster",
                    cpuText(outcome, pipeline.size(), load)));
            table.record(new ReliabilityTable.Measurement("cores a deployment needs per 1,000 images/s, from the CPU"
                    + " above (docs/capacity.md)", capacityText(outcome, pipeline.size())));
            assertExact(outcome, pipeline.size());
        }
    }

    @Test
    @Order(1)
    void theLeaderOfTheBusiestImagesPartitionKilledMidReplay() {
        int killAt = seededCount("cluster: leader of the busiest images partition");
        run("SIGKILL of the leader of the busiest images partition", 1, RATE, pipeline -> {
            pipeline.awaitCommitted(killAt);
            return killAndRestart(pipeline, leaderOfBusiest(pipeline.topics().images()));
        });
    }

    @Test
    @Tag(ClusterMatrix.TAG)
    @Order(2)
    void theLeaderOfTheBusiestPredictionsPartitionKilledMidReplay() {
        int killAt = seededCount("cluster: leader of the busiest predictions partition");
        run("SIGKILL of the leader of the busiest predictions partition", 1, RATE, pipeline -> {
            pipeline.awaitCommitted(killAt);
            return killAndRestart(pipeline, leaderOfBusiest(pipeline.topics().predictions()));
        });
    }

    @Test
    @Order(3)
    void theTransactionCoordinatorOfTheScorerKilledMidReplay() {
        int killAt = seededCount("cluster: transaction coordinator");
        run("SIGKILL of the scorer's transaction coordinator (Admin.describeTransactions)", 1, RATE, pipeline -> {
            pipeline.awaitCommitted(killAt);
            int coordinator = admin(admin -> admin.describeTransactions(List.of(pipeline.scorerTransactionalId()))
                    .description(pipeline.scorerTransactionalId()).get(30, TimeUnit.SECONDS).coordinatorId());
            return killAndRestart(pipeline, coordinator);
        });
    }

    @Test
    @Tag(ClusterMatrix.TAG)
    @Order(4)
    void theGroupCoordinatorOfTheMetricsApplicationKilledMidReplay() {
        int killAt = seededCount("cluster: group coordinator");
        run("SIGKILL of the metrics application's group coordinator (Admin.describeConsumerGroups)", 1, RATE, pipeline -> {
            pipeline.awaitCommitted(killAt);
            int coordinator = admin(admin -> admin.describeConsumerGroups(List.of(pipeline.metricsApplicationId()))
                    .describedGroups().get(pipeline.metricsApplicationId()).get(30, TimeUnit.SECONDS).coordinator().id());
            return killAndRestart(pipeline, coordinator);
        });
    }

    @Test
    @Tag(ClusterMatrix.TAG)
    @Order(5)
    void theActiveKraftControllerKilledMidStream() {
        int killAt = seededCount("cluster: active controller");
        run("SIGKILL of the active KRaft controller (Admin.describeMetadataQuorum)", 1, RATE, pipeline -> {
            pipeline.awaitCommitted(killAt);
            int controller = admin(admin -> admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId());
            return killAndRestart(pipeline, controller);
        });
    }

    @Test
    @Tag(ClusterMatrix.TAG)
    @Order(6)
    void aRollingRestartOfAllThreeNodesMidStream() {
        run("rolling restart: each node stopped (SIGTERM) and started again, the next once all partitions are in sync",
                3, SLOW_RATE, pipeline -> {
                    pipeline.awaitCommitted(1_000);
                    long begin = System.nanoTime();
                    for (int node : cluster.nodeIds()) {
                        cluster.stop(node);
                        cluster.start(node);
                        cluster.awaitFullyReplicated(HEALTHY);
                    }
                    long end = System.nanoTime();
                    ClusterPipeline.Recovery longest = new ClusterPipeline.Recovery(
                            pipeline.committed().longestPauseAfter(begin, end).map(ProgressTimeline.Pause::length),
                            pipeline.counted().longestPauseAfter(begin, end).map(ProgressTimeline.Pause::length));
                    return String.format(Locale.ROOT, "roll took %.0f s, %d images committed during it; longest pause: %s",
                            (end - begin) / 1e9, pipeline.committed().countAt(end) - pipeline.committed().countAt(begin),
                            longest.text());
                });
    }

    /**
     * Two of three nodes down: no partition can reach its minimum ISR of 2 (nor the controller quorum its majority), so
     * producers wait and nothing is acknowledged; the replay says so in one line. One node back, and the stream
     * completes exactly.
     */
    @Test
    @Order(7)
    void twoNodesDownAtOnceBlockEveryWriteUntilOneReturns() throws Exception {
        int killAt = seededCount("cluster: two nodes down");
        KafkaSettings kafka = cluster.settings();
        String probeTopic = "cluster-probe-" + System.nanoTime();
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(probeTopic, 3)));
        AtomicInteger probeAcks = new AtomicInteger();
        run("two nodes SIGKILLed at once for " + TWO_DOWN.toSeconds() + " s, then one started again", 2, SLOW_RATE, pipeline -> {
            pipeline.awaitCommitted(killAt);
            List<Integer> victims = twoOf(cluster.nodeIds(), killAt);
            try (KafkaProducer<String, String> probe = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                    new StringSerializer())) {
                probe.partitionsFor(probeTopic);
                long killed = System.nanoTime();
                victims.forEach(cluster::kill);
                // Writes sent while two nodes are down: none may be acknowledged before a node returns.
                for (int i = 0; i < 30; i++) {
                    probe.send(new ProducerRecord<>(probeTopic, "probe-" + i, "sent while two nodes were down"),
                            (metadata, e) -> {
                                if (e == null) {
                                    probeAcks.incrementAndGet();
                                }
                            });
                }
                CliProcess.pause(Duration.ofSeconds(2));
                long committedEarly = pipeline.committed().latest();
                CliProcess.pause(TWO_DOWN.minusSeconds(2));
                assertThat(pipeline.committed().latest()).as("predictions committed while two nodes were down")
                        .isEqualTo(committedEarly);
                assertThat(probeAcks.get()).as("writes acknowledged while two nodes were down").isZero();
                assertThat(pipeline.replay().log().lines().filter(line -> line.contains("has acknowledged none of")))
                        .as("the replay's one line about its waiting writes").hasSize(1);
                long back = System.nanoTime();
                cluster.start(victims.get(0));
                ClusterPipeline.Recovery recovery = pipeline.awaitRecovery(back);
                probe.flush();
                cluster.start(victims.get(1));
                return String.format(Locale.ROOT, "nodes %s down %.0f s, %d committed meanwhile; node %d back: %s;"
                        + " probe writes acknowledged: 0 while down, %d after", victims, (back - killed) / 1e9,
                        pipeline.committed().countAt(back) - committedEarly, victims.get(0), recovery.text(),
                        probeAcks.get());
            }
        });
        assertThat(probeAcks.get()).as("probe writes acknowledged once a node was back").isEqualTo(30);
        try (CommittedKeys probes = new CommittedKeys(kafka, probeTopic)) {
            assertThat(probes.readToEnd(Duration.ofMinutes(1)).records()).as("probe writes stored, once each").isEqualTo(30);
        }
    }

    /** What a fault does to a running pipeline; returns the recovery times as text for the table. */
    interface Fault {
        String inject(ClusterPipeline pipeline) throws Exception;
    }

    private void run(String fault, int injected, int rate, Fault plan) {
        cluster.awaitFullyReplicated(HEALTHY);
        String name = fault.split(" ")[0].replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT) + "-" + System.nanoTime();
        try (ClusterPipeline pipeline = ClusterPipeline.start(cluster, dir, name, model, rate)) {
            String recovery;
            try {
                recovery = plan.inject(pipeline);
            } catch (Exception e) {
                throw new AssertionError("injecting '" + fault + "' failed: " + e, e);
            }
            ClusterPipeline.Outcome outcome = pipeline.finish();
            System.out.printf("cluster fault '%s': %s%n", fault, recovery);
            record(fault, injected, outcome, outcome.matrix(), recovery);
            assertExact(outcome, pipeline.size());
            assertThat(outcome.matrix()).as("confusion matrix after '%s'", fault).isEqualTo(undisturbed);
        } finally {
            cluster.nodeIds().stream().filter(node -> !cluster.isRunning(node)).forEach(cluster::start);
            cluster.awaitFullyReplicated(HEALTHY);
        }
    }

    /** SIGKILL of {@code node}, the time until predictions and metrics flow again, then the node started again. */
    private String killAndRestart(ClusterPipeline pipeline, int node) {
        long committedBefore = pipeline.committed().latest();
        long countedBefore = pipeline.counted().latest();
        long killed = System.nanoTime();
        cluster.kill(node);
        ClusterPipeline.Recovery recovery = pipeline.awaitRecovery(killed);
        cluster.start(node);
        return String.format(Locale.ROOT, "node %d killed at %,d committed, %,d counted; %s", node, committedBefore,
                countedBefore, recovery.text());
    }

    /** The leader of the partition of {@code topic} that holds the most records now. */
    private int leaderOfBusiest(String topic) throws Exception {
        return admin(admin -> {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic);
            Map<TopicPartition, OffsetSpec> latest = description.partitions().stream().collect(Collectors.toMap(
                    p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            TopicPartitionInfo busiest = description.partitions().stream()
                    .max(Comparator.comparingLong(p -> ends.get(new TopicPartition(topic, p.partition())).offset()))
                    .orElseThrow();
            return busiest.leader().id();
        });
    }

    interface AdminCall<T> {
        T call(Admin admin) throws Exception;
    }

    private <T> T admin(AdminCall<T> call) throws Exception {
        try (Admin admin = Admin.create(cluster.settings().admin())) {
            return call.call(admin);
        }
    }

    private static int seededCount(String experiment) {
        return KillCounts.spread(experiment, 1, 1_000, 4_000, 1).counts().get(0);
    }

    /** Two distinct nodes, chosen by the seed. */
    private static List<Integer> twoOf(List<Integer> nodes, int seed) {
        List<Integer> shuffled = new ArrayList<>(nodes);
        java.util.Collections.shuffle(shuffled, new Random(KillCounts.configuredSeed() ^ seed));
        return List.copyOf(shuffled.subList(0, 2));
    }

    private void record(String fault, int injected, ClusterPipeline.Outcome outcome, ConfusionMatrix reference,
            String recovery) {
        boolean exact = outcome.records() == outcome.distinct() && outcome.losses() == 0 && outcome.distinct() == 10_000
                && outcome.counted() == 10_000;
        String metrics = String.format(Locale.ROOT, "%d counted, confusion matrix %s", outcome.counted(),
                outcome.matrix().equals(reference) ? "= undisturbed run's" : "DIFFERS");
        table.record(new ReliabilityTable.ClusterRow(fault, injected, 10_000, outcome.distinct(), outcome.duplicates(),
                outcome.losses(), metrics, recovery, exact ? "exactly once, every label joined" : "NOT exact"));
    }

    private static void assertExact(ClusterPipeline.Outcome outcome, int size) {
        assertThat(outcome.losses()).as("images without a committed prediction").isZero();
        assertThat(outcome.duplicates()).as("images with more than one committed prediction").isZero();
        assertThat(outcome.records()).as("committed predictions").isEqualTo(size);
        assertThat(outcome.counted()).as("records the metrics stream counted").isEqualTo(size);
        assertThat(outcome.matrix().total()).isEqualTo(size);
    }

    /**
     * Cores per 1,000 images/s for each part: its CPU milliseconds per image (one core-second per 1,000 images at
     * 1 ms each), the three Kafka nodes together as they store every record three times.
     */
    static String capacityText(ClusterPipeline.Outcome outcome, int images) {
        Map<String, Double> cpu = outcome.cpuSecondsWhileReplaying();
        double kafka = cpu.entrySet().stream().filter(e -> e.getKey().startsWith("kafka-"))
                .mapToDouble(Map.Entry::getValue).sum();
        double scorer = cpu.get("scorer") / images * 1000;
        double metrics = cpu.get("metrics") / images * 1000;
        double replay = cpu.get("replay") / images * 1000;
        double kafkaCores = kafka / images * 1000;
        return String.format(Locale.ROOT, "scorer %.2f, metrics stream %.2f, Kafka (3 replicas) %.2f, publisher"
                + " (replay) %.2f; %.2f in all", scorer, metrics, kafkaCores, replay, scorer + metrics + kafkaCores + replay);
    }

    /** CPU seconds per part and per 1,000 images, with the load the machine had. */
    static String cpuText(ClusterPipeline.Outcome outcome, int images, double loadAverage) {
        double kafka = outcome.cpuSecondsWhileReplaying().entrySet().stream()
                .filter(e -> e.getKey().startsWith("kafka-")).mapToDouble(Map.Entry::getValue).sum();
        String parts = outcome.cpuSecondsWhileReplaying().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "%,d images in %.1f s; CPU seconds %s (the three Kafka nodes %.1f); per image:"
                + " scorer %.2f ms, metrics %.2f ms, Kafka (3 nodes) %.2f ms; 1-min load average %.1f at the start",
                images, outcome.seconds(), parts, kafka, outcome.cpuSecondsWhileReplaying().get("scorer") * 1000 / images,
                outcome.cpuSecondsWhileReplaying().get("metrics") * 1000 / images, kafka * 1000 / images, loadAverage);
    }
}

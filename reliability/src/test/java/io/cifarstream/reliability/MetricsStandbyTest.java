package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.metrics.ConfusionMatrix;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBrokerExtension;
import io.cifarstream.testkit.KafkaCluster;

/**
 * Two instances of the metrics stream share its work on the three-node cluster; one is killed with SIGKILL while
 * predictions of three models flow. The survivor's API answers for every model throughout: with a standby replica of
 * each task ({@code --standby-replicas 1}) it serves the dead instance's models from its replicas at once, marked as
 * such ({@code served_by}, shown by the dashboard), and takes their tasks over when the group notices the death; without
 * one, those models answer 503, saying why, until their tasks are restored. Either way every record is counted once.
 */
@ExtendWith({KafkaBrokerExtension.class, ReliabilityTableExtension.class})
class MetricsStandbyTest {

    static final List<String> MODELS = List.of("model-a", "model-b", "model-c");
    static final int PARTITIONS = 6;
    static final int PER_SECOND = 600;
    /** The members' session timeout: how long the group takes to notice a SIGKILLed member. */
    static final Duration SESSION = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withAStandbyReplicaTheSurvivorServesTheKilledInstancesModelsAtOnce(KafkaCluster cluster, ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        Failover failover = killOneOfTwo(cluster, 1, dir);
        record(table, 1, failover);
        assertThat(failover.unavailable()).as("time any model answered other than 200 after the kill; answers: %s",
                failover.reasons()).isZero();
        assertThat(failover.servedFromStandby()).as("a model served from a standby replica, and the status saying so")
                .isTrue();
        assertExact(failover);
    }

    @Test
    @Tag(ClusterMatrix.TAG)
    void withoutAStandbyReplicaTheKilledInstancesModelsAnswer503SayingWhyUntilTheirTasksAreRestored(
            KafkaCluster cluster, ReliabilityTable table, @TempDir Path dir) throws Exception {
        Failover failover = killOneOfTwo(cluster, 0, dir);
        record(table, 0, failover);
        assertThat(failover.unavailable()).as("time the killed instance's models answered 503").isPositive();
        // Only the dead instance's models are unavailable: while its tasks are silent, then while they restore.
        assertThat(failover.reasons()).as("what the 503s said").allSatisfy(reason -> {
            assertThat(reason).startsWith(failover.victimModels().stream().filter(reason::startsWith).findFirst()
                    .orElse("one of the killed instance's models " + failover.victimModels()));
            assertThat(reason).contains("503").containsAnyOf("does not answer", "restores the model's task");
        });
        assertExact(failover);
    }

    /** What the survivor's API did after the kill, and what it ended with. */
    record Failover(int standbys, List<String> victimModels, Duration allServed, Duration unavailable,
            Duration countingAgain, boolean servedFromStandby, List<String> reasons, Map<String, ViewReport> finalViews,
            ConfusionMatrix expected, double loadAverage) {
    }

    private static Failover killOneOfTwo(KafkaCluster cluster, int standbys, Path dir) throws Exception {
        KafkaSettings kafka = cluster.settings();
        String prefix = "cluster-standby-" + standbys + "-" + System.nanoTime() + "-";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        new TopicSetup(kafka).ensure(List.of(TopicSpec.of(topics.predictions(), PARTITIONS),
                TopicSpec.of(topics.labels(), PARTITIONS)));
        Path clientConfig = Files.writeString(dir.resolve("client.properties"), "session.timeout.ms="
                + SESSION.toMillis() + "\nheartbeat.interval.ms=1000\n");
        PredictionFlow flow = new PredictionFlow(CifarTestData.testSplit(), MODELS);
        double load = CpuTime.loadAverage();
        List<CliProcess> instances = new ArrayList<>();
        AtomicInteger allowed = new AtomicInteger(flow.size() * 4 / 10);
        CompletableFuture<Void> publishing = null;
        try {
            for (String name : List.of("a", "b")) {
                instances.add(CliProcess.start(dir, "metrics-" + name, List.of("metrics",
                        "--bootstrap-server", kafka.bootstrapServers(), "--kafka-config", clientConfig.toString(),
                        "--predictions-topic", topics.predictions(), "--labels-topic", topics.labels(),
                        "--metrics-topic", topics.metrics(), "--dead-letters-topic", topics.deadLetters(),
                        "--state-dir", dir.resolve("state-" + name).toString(), "--http-port", "0",
                        "--application-id", prefix + "metrics", "--standby-replicas", String.valueOf(standbys))));
            }
            List<URI> apis = new ArrayList<>();
            for (CliProcess instance : instances) {
                apis.add(URI.create(instance.awaitLog(MetricsKillTest.API, Duration.ofMinutes(2))));
            }
            publishing = CompletableFuture.runAsync(() -> flow.publish(kafka, topics, PER_SECOND, allowed::get));
            for (String model : MODELS) {
                new MetricsApi(apis.get(0), model).await(count -> count >= flow.size() * 3 / 10, "30% of the records",
                        Duration.ofMinutes(3), () -> instances.forEach(i -> i.requireAlive("before the kill")));
            }
            // The victim: an instance that owns at least one model (its own list, local=true); the other survives.
            int victim = ownedModels(apis.get(0)).isEmpty() ? 1 : 0;
            List<String> victimModels = ownedModels(apis.get(victim));
            MetricsApi survivor = new MetricsApi(apis.get(1 - victim), MODELS.get(0));
            Map<String, Long> countsAtKill = new LinkedHashMap<>();
            for (String model : victimModels) {
                countsAtKill.put(model, survivor.forModel(model).cumulative().orElseThrow().report().count());
            }
            instances.get(victim).kill();
            long killed = System.nanoTime();
            allowed.set(Integer.MAX_VALUE);

            Long allServed = null;
            Long countingAgain = null;
            long unavailableNanos = 0;
            boolean servedFromStandby = false;
            List<String> reasons = new ArrayList<>();
            long last = killed;
            long deadline = killed + TimeUnit.MINUTES.toNanos(3);
            while (countingAgain == null || !allCounted(survivor, flow.size())) {
                long now = System.nanoTime();
                boolean allOk = true;
                boolean victimsCounting = true;
                for (String model : MODELS) {
                    MetricsApi.Answer answer = survivor.forModel(model).cumulativeAnswer();
                    if (answer.status() != 200) {
                        allOk = false;
                        reasons.add(model + ": " + answer.status() + " " + answer.body());
                        continue;
                    }
                    JsonNode body = JSON.readTree(answer.body());
                    servedFromStandby |= body.has(ViewReport.SERVED_BY) && statusSaysServedBy(survivor, model);
                    if (countsAtKill.containsKey(model) && body.get("count").asLong() <= countsAtKill.get(model)) {
                        victimsCounting = false;
                    }
                }
                if (!allOk) {
                    unavailableNanos += now - last;
                } else if (allServed == null) {
                    allServed = now - killed;
                }
                if (allOk && victimsCounting && countingAgain == null) {
                    countingAgain = now - killed;
                }
                last = now;
                instances.get(1 - victim).requireAlive("after the other instance was killed");
                assertThat(now).as("the survivor never counted every record").isLessThan(deadline);
                CliProcess.pause(Duration.ofMillis(100));
            }
            publishing.get(1, TimeUnit.MINUTES);
            CliProcess.pause(Duration.ofSeconds(2));
            Map<String, ViewReport> finalViews = new LinkedHashMap<>();
            for (String model : MODELS) {
                finalViews.put(model, survivor.forModel(model).cumulative().orElseThrow());
            }
            return new Failover(standbys, victimModels, Duration.ofNanos(allServed == null ? 0 : allServed),
                    Duration.ofNanos(unavailableNanos), Duration.ofNanos(countingAgain), servedFromStandby,
                    reasons.stream().distinct().toList(), finalViews, flow.offline().snapshot().confusion(), load);
        } finally {
            allowed.set(Integer.MAX_VALUE);
            instances.forEach(CliProcess::killIfAlive);
        }
    }

    private static boolean allCounted(MetricsApi api, int size) {
        return MODELS.stream().allMatch(model -> api.forModel(model).cumulative()
                .map(view -> view.report().count() >= size).orElse(false));
    }

    /** Whether the dashboard's status says the model is served from a standby replica. */
    private static boolean statusSaysServedBy(MetricsApi api, String model) throws Exception {
        MetricsApi.Answer status = api.get("/api/status");
        return status.status() == 200 && JSON.readTree(status.body()).path("models").path(model).has(ViewReport.SERVED_BY);
    }

    private static List<String> ownedModels(URI api) throws Exception {
        MetricsApi.Answer answer = new MetricsApi(api, MODELS.get(0)).get("/api/models?local=true");
        assertThat(answer.status()).as("local model list of %s", api).isEqualTo(200);
        List<String> models = new ArrayList<>();
        JSON.readTree(answer.body()).forEach(node -> models.add(node.asText()));
        return models;
    }

    private static void record(ReliabilityTable table, int standbys, Failover failover) {
        long counted = failover.finalViews().values().stream().mapToLong(view -> view.report().count()).sum();
        long offered = (long) MODELS.size() * 10_000;
        boolean same = failover.finalViews().values().stream()
                .allMatch(view -> view.report().confusion().equals(failover.expected()));
        String recovery = String.format(Locale.ROOT, "all models answered again %.1f s after the kill (503 for %.1f s);"
                + " the dead instance's models counting again after %.1f s", seconds(failover.allServed()),
                seconds(failover.unavailable()), seconds(failover.countingAgain()));
        table.record(new ReliabilityTable.ClusterRow("one of two metrics instances SIGKILLed, --standby-replicas "
                + standbys + " (models " + failover.victimModels() + " on it)", 1, offered, counted,
                Math.max(0, counted - offered), Math.max(0, offered - counted), String.format(Locale.ROOT,
                        "%d counted, confusion matrices %s", counted, same ? "= offline computation's" : "DIFFER"),
                recovery,
                standbys > 0 ? "served from the standby replica meanwhile (served_by)" : "503 naming the silent owner"));
        table.record(new ReliabilityTable.Measurement("metrics failover, --standby-replicas " + standbys
                + ", session timeout " + SESSION.toSeconds() + " s, 1-min load average "
                + String.format(Locale.ROOT, "%.1f", failover.loadAverage()), recovery));
        System.out.println("metrics failover, standby replicas " + standbys + ": " + recovery);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static void assertExact(Failover failover) {
        for (Map.Entry<String, ViewReport> view : failover.finalViews().entrySet()) {
            assertThat(view.getValue().report().count()).as("records of %s counted", view.getKey()).isEqualTo(10_000);
            assertThat(view.getValue().report().confusion()).as("confusion matrix of %s", view.getKey())
                    .isEqualTo(failover.expected());
        }
    }
}

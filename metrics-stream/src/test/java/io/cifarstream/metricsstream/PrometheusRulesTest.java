package io.cifarstream.metricsstream;

import io.cifarstream.console.BearerToken;
import io.cifarstream.testkit.SyntheticPredictions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Prometheus alerting rules shipped in {@code ops/prometheus/}: valid ({@code promtool check rules}), doing what
 * their unit tests say ({@code promtool test rules}), and written against series the metrics stream really exports.
 */
class PrometheusRulesTest {

    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path RULES = Path.of("..", "ops", "prometheus", "cifar-stream-alerts.yml");
    private static final Path RULE_TESTS = Path.of("..", "ops", "prometheus", "cifar-stream-alerts.test.yml");
    private static final Pattern SERIES = Pattern.compile("\\b(cifar_[a-z_]+)");

    @TempDir
    Path stateDir;

    @Test
    void promtoolFindsTheRulesValid() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "needs promtool: apt-get install -y prometheus");
        assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS: 7 rules found");
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "needs promtool: apt-get install -y prometheus");
        assertThat(promtool("test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
    }

    @Test
    void everySeriesTheRulesReadIsOneTheMetricsStreamExports() throws Exception {
        Set<String> read = new TreeSet<>();
        Matcher m = SERIES.matcher(Files.readString(RULES));
        while (m.find()) {
            read.add(m.group(1));
        }
        assertThat(read).contains("cifar_alert_firing", "cifar_model_estimated_accuracy", "cifar_model_drift_over");

        MetricsConfig config = TopologyHarness.config(Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(10),
                100).withAlertRules(List.of(AlertRule.parse("low: estimated_accuracy in last < 0.9")));
        SyntheticPredictions scores = new SyntheticPredictions(1);
        try (TopologyHarness harness = new TopologyHarness(config, stateDir)) {
            harness.sendReference(TopologyHarness.reference("m", scores.version(), scores.reference(500)), T0);
            for (int i = 0; i < 50; i++) {
                harness.send(scores.prediction("m", "img-" + i, i, i % 10, true, T0.plusSeconds(i)));
            }
            harness.tick();
            ReportSource reports = harness.reports();
            try (MetricsHttpServer http = new MetricsHttpServer(MetricsHttpServer.bind("127.0.0.1", 0), reports, reports,
                    harness.counters, BearerToken.open())) {
                String exported = BrokerFixture.get(http.address().resolve("/metrics"));
                Set<String> series = exported.lines().filter(line -> !line.startsWith("#"))
                        .map(line -> line.replaceAll("[{ ].*", "")).collect(Collectors.toCollection(TreeSet::new));
                assertThat(series).containsAll(read);
                assertThat(exported).contains("cifar_alert_firing{model=\"m\",rule=\"low\",view=\"last\","
                        + "metric=\"estimated_accuracy\"} 1");
            }
        }
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool %s:\n%s", String.join(" ", args), output).isZero();
        return output;
    }
}

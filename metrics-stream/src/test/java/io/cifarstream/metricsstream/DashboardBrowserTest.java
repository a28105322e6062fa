package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetterKind;
import com.fasterxml.jackson.databind.JsonNode;
import io.cifarstream.console.BearerToken;
import io.cifarstream.dataset.Cifar10;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.KafkaBroker;
import io.cifarstream.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless chromium against the metrics service on a real broker: it waits for
 * predictions, then shows the same confusion matrix as the API in each view, ten ROC curves with their AUCs and
 * the dead letters, without a console error. Leaves {@code target/dashboard-screenshot.png}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DashboardBrowserTest {

    private static final int RECORDS = 400;
    private static final int BATCHES = 4;
    private static final Path SCREENSHOT = Path.of("target", "dashboard-screenshot.png");
    private static final Path MONITORING_SCREENSHOT = Path.of("target", "dashboard-monitoring-screenshot.png");
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);
    /** What the page shows, read from its DOM (the data-* attributes the dashboard writes for this). */
    private static final String PAGE_STATE = """
            const cells = Array.from(document.querySelectorAll('#confusion rect[data-count]'));
            return {
              waiting: !document.getElementById('waiting').hidden,
              view: document.getElementById('content').dataset.view || null,
              confusion: cells.map(c => [Number(c.dataset.true), Number(c.dataset.predicted), Number(c.dataset.count)]),
              matrixSum: cells.reduce((sum, c) => sum + Number(c.dataset.count), 0),
              rocCurves: Array.from(document.querySelectorAll('#roc path[data-class]')).map(p => Number(p.dataset.class)),
              legend: Array.from(document.querySelectorAll('#roc-legend li')).map(li => li.textContent),
              accuracy: document.getElementById('kpi-accuracy').textContent,
              historyPoints: (document.querySelector('#history path[data-series=accuracy]')?.getAttribute('d') || '')
                  .split(/[ML]/).length - 1,
              deadLetters: document.getElementById('kpi-dead').dataset.deadLetters || null,
              estimated: document.getElementById('kpi-estimated').dataset.estimatedAccuracy || null,
              estimatedPoints: (document.querySelector('#history path[data-series=estimated]')?.getAttribute('d') || '')
                  .split(/[ML]/).length - 1,
              drift: Array.from(document.querySelectorAll('#drift tr[data-check]'))
                  .map(row => [row.dataset.check, row.dataset.statistic]),
              reliability: Array.from(document.querySelectorAll('#reliability rect[data-bin]')).map(r => Number(r.dataset.count)),
              ece: document.getElementById('calibration').dataset.ece || null,
              alerts: Array.from(document.querySelectorAll('#alerts li[data-rule]')).map(li => [li.dataset.rule, li.dataset.state])
            };""";

    @TempDir
    Path temp;

    @Test
    void statusGivesCountersDeadLettersAndTheViewsEachModelHas(KafkaBroker broker) throws Exception {
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        try (MetricsService service = MetricsService.start(MetricsServiceBrokerTest.options(broker, fixture.topics, temp))) {
            assertThat(service.awaitRunning(Duration.ofMinutes(1))).as("streams app running").isTrue();
            JsonNode before = status(service.httpAddress());
            assertThat(before.get("models").size()).isZero();
            assertThat(before.get("counters").get("predictions_counted_total").asLong()).isZero();
            assertThat(before.get("dead_letters").size()).isZero();

            produceOneBadLabel(broker, fixture);
            fixture.produce(broker.settings(), 0, RECORDS);
            BrokerFixture.awaitCumulative(service.httpAddress(), RECORDS, Duration.ofMinutes(2));

            JsonNode after = status(service.httpAddress());
            assertThat(after.get("counters").get("predictions_counted_total").asLong()).isEqualTo(RECORDS);
            assertThat(after.get("dead_letters").get(DeadLetterKind.BAD_LABEL.name()).asLong()).isEqualTo(1);
            JsonNode model = after.get("models").get(BrokerFixture.MODEL);
            assertThat(model.get("count").asLong()).isEqualTo(RECORDS);
            List<String> views = new ArrayList<>();
            model.get("views").forEach(view -> views.add(view.asText()));
            assertThat(views).containsExactly("cumulative", "window", "last");
        }
    }

    @Test
    void headlessChromiumShowsTheLiveMetricsOfEveryView(KafkaBroker broker) throws Exception {
        assumeTrue(HeadlessChromium.installed(), "needs " + HeadlessChromium.CHROMIUM + " and " + HeadlessChromium.CHROMEDRIVER
                + ": apt-get install -y chromium chromium-driver");
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        try (MetricsService service = MetricsService.start(MetricsServiceBrokerTest.options(broker, fixture.topics, temp.resolve("state")));
             HeadlessChromium browser = new HeadlessChromium(temp.resolve("profile"), temp.resolve("chromedriver.log"), 1440, 1800)) {
            assertThat(service.awaitRunning(Duration.ofMinutes(1))).as("streams app running").isTrue();
            URI api = service.httpAddress();
            try {
                browser.open(api.resolve("/"));
                awaitPage(browser, "the 'waiting for predictions' notice", page -> page.get("waiting").asBoolean());

                produceOneBadLabel(broker, fixture);
                // In batches, each awaited on the page: the page follows the stream, and its history gets a point per state.
                for (int batch = 1; batch < BATCHES; batch++) {
                    int from = (batch - 1) * RECORDS / BATCHES;
                    int to = batch * RECORDS / BATCHES;
                    fixture.produce(broker.settings(), from, to);
                    BrokerFixture.awaitCumulative(api, to, Duration.ofMinutes(2));
                    awaitPage(browser, "the first " + to + " records", state -> state.get("matrixSum").asLong() == to);
                }
                fixture.produce(broker.settings(), (BATCHES - 1) * RECORDS / BATCHES, RECORDS);
                ViewReport cumulative = BrokerFixture.awaitCumulative(api, RECORDS, Duration.ofMinutes(2));

                JsonNode page = awaitPage(browser, "the cumulative view of " + RECORDS + " records",
                        state -> "cumulative".equals(state.get("view").asText()) && state.get("matrixSum").asLong() == RECORDS
                                && state.get("rocCurves").size() == 10 && "1".equals(state.get("deadLetters").asText()));
                assertThat(page.get("waiting").asBoolean()).isFalse();
                assertThat(page.get("historyPoints").asInt()).as("points of the accuracy history").isGreaterThanOrEqualTo(BATCHES);
                assertThat(confusion(page)).isEqualTo(cumulative.report().confusion().counts());
                assertThat(Double.parseDouble(page.get("accuracy").asText().replace(" %", "")) / 100)
                        .isCloseTo(cumulative.report().accuracy(), within(0.00006));
                List<Integer> curves = new ArrayList<>();
                page.get("rocCurves").forEach(k -> curves.add(k.asInt()));
                assertThat(curves).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
                for (int k = 0; k < 10; k++) {
                    String legend = page.get("legend").get(k).asText();
                    String name = Cifar10.OFFICIAL_CLASS_NAMES.get(k);
                    assertThat(legend).startsWith(name + "AUC ");
                    assertThat(Double.parseDouble(legend.substring(name.length() + 4)))
                            .isCloseTo(cumulative.report().auc().get(k), within(0.00006));
                }

                for (String view : List.of("window", "last")) {
                    browser.click("[data-view-button=" + view + "]");
                    ViewReport expected = ViewReport.fromJson(BrokerFixture.get(api.resolve("/api/models/" + BrokerFixture.MODEL + "?view=" + view)));
                    JsonNode shown = awaitPage(browser, "the " + view + " view",
                            state -> view.equals(state.get("view").asText()) && state.get("matrixSum").asLong() == expected.report().count());
                    assertThat(confusion(shown)).isEqualTo(expected.report().confusion().counts());
                }

                browser.click("[data-view-button=cumulative]");
                int before = awaitPage(browser, "the cumulative view again",
                        state -> "cumulative".equals(state.get("view").asText())).get("historyPoints").asInt();
                // The cumulative history resumes after the other views: the screenshot shows it on both sides of the gap.
                awaitPage(browser, "the cumulative history growing again", state -> state.get("historyPoints").asInt() >= before + 2);
            } finally {
                browser.screenshot(SCREENSHOT);
            }
            List<HeadlessChromium.LogEntry> errors = browser.browserLog().stream()
                    .filter(entry -> entry.level().equals("SEVERE")).toList();
            assertThat(errors).as("console errors").isEmpty();
        }
    }

    /**
     * With a model reference and an alert rule: the page shows the estimated accuracy beside the realized one (and
     * its history), every drift check, the reliability diagram and the alert that fires, each as the API has it.
     * Leaves {@code target/dashboard-monitoring-screenshot.png}.
     */
    @Test
    void headlessChromiumShowsTheEstimatesDriftReliabilityAndAlerts(KafkaBroker broker) throws Exception {
        assumeTrue(HeadlessChromium.installed(), "needs " + HeadlessChromium.CHROMIUM + " and " + HeadlessChromium.CHROMEDRIVER
                + ": apt-get install -y chromium chromium-driver");
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        MetricsService.Options plain = MetricsServiceBrokerTest.options(broker, fixture.topics, temp.resolve("state"));
        MetricsService.Options options = new MetricsService.Options(plain.kafka(), plain.metrics().withAlertRules(
                List.of(AlertRule.parse("estimate-low: estimated_accuracy in cumulative < 0.9 for 2"))), plain.applicationId(),
                plain.stateDir(), plain.httpHost(), 0, plain.streamsOverrides());
        try (MetricsService service = MetricsService.start(options);
             HeadlessChromium browser = new HeadlessChromium(temp.resolve("profile"), temp.resolve("chromedriver.log"), 1440, 2400)) {
            URI api = service.httpAddress();
            fixture.produceReference(broker.settings(), fixture.scores.reference(2_000));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (service.counters().count(StreamCounters.Event.REFERENCE_READ) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            try {
                browser.open(api.resolve("/"));
                for (int batch = 1; batch <= BATCHES; batch++) {
                    int to = batch * RECORDS / BATCHES;
                    fixture.produce(broker.settings(), (batch - 1) * RECORDS / BATCHES, to);
                    BrokerFixture.awaitCumulative(api, to, Duration.ofMinutes(2));
                    awaitPage(browser, "the first " + to + " records", state -> state.get("matrixSum").asLong() == to);
                }
                ViewReport cumulative = BrokerFixture.awaitCumulative(api, RECORDS, Duration.ofMinutes(2));
                JsonNode page = awaitPage(browser, "the estimates, drift, reliability and the alert of " + RECORDS + " records",
                        state -> state.get("matrixSum").asLong() == RECORDS && state.get("drift").size() == 11
                                && state.get("reliability").size() == 15
                                && state.get("alerts").toString().contains("[\"estimate-low\",\"firing\"]"));
                MonitoringReport monitoring = cumulative.monitoring();
                assertThat(Double.parseDouble(page.get("estimated").asText()))
                        .isEqualTo(monitoring.estimates().estimatedAccuracy());
                assertThat(page.get("estimatedPoints").asInt()).as("points of the estimated accuracy's history")
                        .isGreaterThanOrEqualTo(2);
                for (JsonNode row : page.get("drift")) {
                    assertThat(Double.parseDouble(row.get(1).asText())).as(row.get(0).asText())
                            .isEqualTo(monitoring.drift().check(row.get(0).asText()).statistic());
                }
                List<Long> counts = new ArrayList<>();
                page.get("reliability").forEach(count -> counts.add(count.asLong()));
                assertThat(counts).isEqualTo(monitoring.calibration().reliability().stream()
                        .map(io.cifarstream.metrics.ReliabilityBin::count).toList());
                assertThat(Double.parseDouble(page.get("ece").asText())).isEqualTo(monitoring.calibration().ece());
            } finally {
                browser.screenshot(MONITORING_SCREENSHOT);
            }
            List<HeadlessChromium.LogEntry> errors = browser.browserLog().stream()
                    .filter(entry -> entry.level().equals("SEVERE")).toList();
            assertThat(errors).as("console errors").isEmpty();
        }
    }

    /**
     * Behind a bearer token: opened without one the page says what it needs; opened as {@code /#token=...} it
     * shows the metrics, and the token is gone from the address bar.
     */
    @Test
    void headlessChromiumShowsTheMetricsBehindATokenGivenInTheAddress(KafkaBroker broker) throws Exception {
        assumeTrue(HeadlessChromium.installed(), "needs " + HeadlessChromium.CHROMIUM + " and " + HeadlessChromium.CHROMEDRIVER
                + ": apt-get install -y chromium chromium-driver");
        BearerToken token = BearerToken.of("dashboard-secret-7c1e");
        BrokerFixture fixture = new BrokerFixture(CifarTestData.testSplit());
        MetricsService.Options options = MetricsServiceBrokerTest.options(broker, fixture.topics, temp.resolve("state"))
                .withHttpToken(token);
        try (MetricsService service = MetricsService.start(options);
             HeadlessChromium browser = new HeadlessChromium(temp.resolve("profile"), temp.resolve("chromedriver.log"), 1440, 1800)) {
            URI api = service.httpAddress();
            fixture.produce(broker.settings(), 0, RECORDS / 4);
            BrokerFixture.awaitCumulative(api, token, BrokerFixture.MODEL, RECORDS / 4, Duration.ofMinutes(2));

            browser.open(api.resolve("/"));
            awaitConnection(browser, "token needed");

            browser.open(URI.create(api + "/#token=dashboard-secret-7c1e"));
            awaitPage(browser, "the " + RECORDS / 4 + " records behind the token",
                    state -> "cumulative".equals(state.get("view").asText()) && state.get("matrixSum").asLong() == RECORDS / 4);
            JsonNode address = browser.execute("return {href: window.location.href};");
            assertThat(address.get("href").asText()).doesNotContain("dashboard-secret").endsWith("/");
            List<HeadlessChromium.LogEntry> errors = browser.browserLog().stream()
                    .filter(entry -> entry.level().equals("SEVERE")).toList();
            assertThat(errors).as("console errors other than the first visit's refused requests")
                    .allSatisfy(entry -> assertThat(entry.message()).contains("401"));
        }
    }

    private static void awaitConnection(HeadlessChromium browser, String text) throws Exception {
        long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
        String shown = null;
        while (System.nanoTime() < deadline) {
            shown = browser.execute("return {text: document.getElementById('connection').textContent};").get("text").asText();
            if (shown.contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the dashboard never said '" + text + "' within " + PAGE_TIMEOUT + "; last: " + shown);
    }

    private static long[][] confusion(JsonNode page) {
        long[][] counts = new long[10][10];
        page.get("confusion").forEach(cell -> counts[cell.get(0).asInt()][cell.get(1).asInt()] = cell.get(2).asLong());
        return counts;
    }

    /** A prediction whose label is no CIFAR-10 class: the stream dead-letters it as BAD_LABEL. */
    private static void produceOneBadLabel(KafkaBroker broker, BrokerFixture fixture) {
        Prediction good = fixture.scores.prediction(BrokerFixture.MODEL, "bad-label-1", 0, 3, true, Instant.now());
        Prediction bad = Prediction.newBuilder(good).setLabel(42).build();
        try (KafkaProducer<String, Prediction> producer = new KafkaProducer<>(broker.settings().producer(),
                new StringSerializer(), AvroSerde.predictions().serializer())) {
            producer.send(new ProducerRecord<>(fixture.topics.predictions(), bad.getImageId(), bad));
        }
    }

    private static JsonNode status(URI api) throws Exception {
        return BrokerFixture.json().readTree(BrokerFixture.get(api.resolve("/api/status")));
    }

    private interface PageCondition {
        boolean holds(JsonNode state);
    }

    private static JsonNode awaitPage(HeadlessChromium browser, String what, PageCondition condition) throws Exception {
        long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
        JsonNode state = null;
        while (System.nanoTime() < deadline) {
            state = browser.execute(PAGE_STATE);
            if (condition.holds(state)) {
                return state;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the dashboard never showed " + what + " within " + PAGE_TIMEOUT + "; last seen: " + state);
    }
}

package io.cifarstream.testkit;

import io.cifarstream.kafka.BrokerUnreachableException;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.reporting.ReportEntry;
import org.testcontainers.DockerClientFactory;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs two test classes in a test run of their own and watches what the extension hands them: one broker,
 * the same instance in both classes, stopped when that run ends.
 */
class KafkaBrokerExtensionTest {

    @Test
    void twoTestClassesOfOneRunGetTheSameBrokerWhichStopsWhenTheRunEnds() {
        List<Map<String, String>> reports = new CopyOnWriteArrayList<>();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener reportCollector = new TestExecutionListener() {
            @Override
            public void reportingEntryPublished(TestIdentifier testIdentifier, ReportEntry entry) {
                reports.add(entry.getKeyValuePairs());
            }
        };
        LauncherDiscoveryRequest run = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FirstBrokerUser.class), selectClass(SecondBrokerUser.class))
                .configurationParameter(BrokerKind.PROPERTY, "embedded")
                .build();

        Launcher launcher = LauncherFactory.create();
        launcher.execute(run, summary, reportCollector);

        TestExecutionSummary result = summary.getSummary();
        assertThat(result.getFailures()).isEmpty();
        assertThat(result.getTestsSucceededCount()).isEqualTo(2);
        assertThat(reports).extracting(report -> report.get("class"))
                .containsExactlyInAnyOrder(FirstBrokerUser.class.getSimpleName(), SecondBrokerUser.class.getSimpleName());
        assertThat(reports).extracting(report -> report.get("instance")).doesNotContainNull().containsOnly(reports.get(0).get("instance"));
        String bootstrap = reports.get(0).get("bootstrap");
        assertThat(reports).extracting(report -> report.get("bootstrap")).containsOnly(bootstrap);

        TopicSetup afterTheRun = new TopicSetup(KafkaSettings.of(bootstrap), Duration.ofSeconds(2));
        assertThatThrownBy(() -> afterTheRun.ensure(List.of(TopicSpec.of("too-late", 1))))
                .isInstanceOf(BrokerUnreachableException.class);
    }

    @Test
    void askingForTestcontainersWithoutDockerFailsTheTestWithTheFix() {
        assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "Docker is available here");
        SummaryGeneratingListener summary = new SummaryGeneratingListener();

        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FirstBrokerUser.class))
                .configurationParameter(BrokerKind.PROPERTY, "testcontainers")
                .build(), summary);

        assertThat(summary.getSummary().getFailures()).singleElement()
                .extracting(TestExecutionSummary.Failure::getException)
                .satisfies(error -> assertThat(error).hasRootCauseMessage(
                        "cifarstream.kafka=testcontainers but Docker is not available:"
                                + " start Docker or run with -Dcifarstream.kafka=embedded"));
    }

    @Test
    void anUnknownBrokerKindIsAnErrorListingTheChoices() {
        assertThat(BrokerKind.parse(null)).isEqualTo(BrokerKind.AUTO);
        assertThat(BrokerKind.parse(" Embedded ")).isEqualTo(BrokerKind.EMBEDDED);
        assertThat(BrokerKind.parse("testcontainers")).isEqualTo(BrokerKind.TESTCONTAINERS);
        assertThatThrownBy(() -> BrokerKind.parse("docker"))
                .hasMessage("unknown cifarstream.kafka=docker: use embedded, testcontainers or auto (e.g. -Dcifarstream.kafka=embedded)");
    }

    /** Reports which broker it got; run only by the launcher above (surefire skips nested classes). */
    @ExtendWith(KafkaBrokerExtension.class)
    static class FirstBrokerUser {
        @Test
        void reportsItsBroker(KafkaBroker broker, TestReporter reporter) throws Exception {
            reportBroker(getClass(), broker, reporter);
        }
    }

    /** Reports which broker it got; run only by the launcher above (surefire skips nested classes). */
    @ExtendWith(KafkaBrokerExtension.class)
    static class SecondBrokerUser {
        @Test
        void reportsItsBroker(KafkaBroker broker, TestReporter reporter) throws Exception {
            reportBroker(getClass(), broker, reporter);
        }
    }

    private static void reportBroker(Class<?> testClass, KafkaBroker broker, TestReporter reporter) throws Exception {
        try (Admin admin = Admin.create(broker.settings().admin())) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
        reporter.publishEntry(Map.of(
                "class", testClass.getSimpleName(),
                "instance", String.valueOf(System.identityHashCode(broker)),
                "bootstrap", broker.bootstrapServers()));
    }
}

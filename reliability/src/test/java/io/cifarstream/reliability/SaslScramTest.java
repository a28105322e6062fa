package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.broker.ListenerSpec;
import io.cifarstream.reliability.CliProcess.Finished;
import io.cifarstream.reliability.TopicRecords.Read;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.MetricsSnapshot;
import io.cifarstream.schemas.MetricsView;
import io.cifarstream.schemas.Prediction;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.testkit.CifarTestData;

/**
 * The three apps against a broker whose client listener demands SASL/SCRAM, each a real {@code cifar-stream} child
 * process configured only through {@code --kafka-config}: with the right credentials (SCRAM-SHA-256 and -512) replay,
 * score and metrics do their whole job; without credentials, with a wrong password, with an unknown user, or as a
 * plaintext client, each fails within a bounded time with exactly one {@code error:} line naming the cause and the
 * fix, a non-zero exit and no stack trace (unless {@code --verbose}). In every run, verbose or not, the password
 * appears nowhere in what the process printed.
 */
@ExtendWith(ReliabilityTableExtension.class)
class SaslScramTest {

    private static final Logger LOG = LoggerFactory.getLogger(SaslScramTest.class);

    private static final String LISTENER = "SASL_PLAINTEXT";
    private static final String USER = "cifar-app";
    private static final String LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final int IMAGES = 200;
    /** Far above what any run needs (a silent listener is given up after about 15 s): a hang, not slowness. */
    private static final Duration LIMIT = Duration.ofMinutes(2);

    /** Fresh per run, so a match in the output can only be a leak. */
    private static final String PASSWORD = "scram-" + UUID.randomUUID();

    static EmbeddedKafkaBroker broker;
    static KafkaSettings admin;
    static Path model;

    @BeforeAll
    static void startBroker(@TempDir Path dir) throws Exception {
        broker = EmbeddedKafkaBroker.builder()
                .listener(new ListenerSpec(LISTENER, "SASL_PLAINTEXT", 0))
                .brokerProperty("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512")
                .brokerProperty("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", LOGIN_MODULE + " required;")
                .brokerProperty("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", LOGIN_MODULE + " required;")
                .start();
        // The PLAINTEXT listener is the operator's: it creates the user and the topics, and reads the results.
        admin = KafkaSettings.of(broker.bootstrapServers());
        try (Admin client = Admin.create(admin.admin())) {
            // One request per mechanism: Kafka refuses two alterations of one user in a request.
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                client.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                        new ScramCredentialInfo(mechanism, 4096), PASSWORD))).all().get();
            }
        }
        model = SeededCifarModel.write(dir.resolve("seeded.onnx"), 11);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void withScramCredentialsReplayScoreAndMetricsDoTheirWholeJobAndNeverPrintThePassword(ReliabilityTable table,
            @TempDir Path dir) throws Exception {
        TopicNames topics = TopicRecords.createTopics(admin, "sasl");
        Path sha256 = clientConfig(dir.resolve("client-256.properties"), "SCRAM-SHA-256", USER, PASSWORD);
        Path sha512 = clientConfig(dir.resolve("client-512.properties"), "SCRAM-SHA-512", USER, PASSWORD);
        String data = CifarTestData.cifar10().location().toString();

        // --verbose everywhere: the most a run ever prints, so the secrets check covers the quiet runs too.
        try (CliProcess metrics = CliProcess.start(dir, "metrics", List.of("metrics", "--verbose",
                "--kafka-config", sha256.toString(), "--predictions-topic", topics.predictions(),
                "--labels-topic", topics.labels(), "--metrics-topic", topics.metrics(),
                "--dead-letters-topic", topics.deadLetters(), "--state-dir", dir.resolve("state").toString(),
                "--http-port", "0", "--application-id", "sasl-metrics"));
             CliProcess score = CliProcess.start(dir, "score", List.of("score", "--verbose",
                "--kafka-config", sha512.toString(), "--model", "seeded=" + model, "--images-topic", topics.images(),
                "--predictions-topic", topics.predictions(), "--dead-letters-topic", topics.deadLetters(),
                "--group", "sasl-scorer", "--partitions", "1"))) {
            Finished replay = CliProcess.run(dir, "replay", LIMIT, List.of("replay", "--verbose",
                    "--kafka-config", sha256.toString(), "--data", data, "--split", "test", "--limit",
                    String.valueOf(IMAGES), "--images-topic", topics.images(), "--labels-topic", topics.labels(),
                    "--partitions", "1"));
            assertThat(replay.exit()).as("replay's exit; stderr:%n%s", replay.stderr()).isZero();
            assertThat(replay.stdout()).contains("Published " + IMAGES + " images");

            List<Read<Prediction>> predictions = awaitPredictions(topics, score, metrics);
            MetricsSnapshot cumulative = awaitCumulativeCount(topics, score, metrics);

            Finished scored = score.stop(Duration.ofSeconds(60));
            Finished measured = metrics.stop(Duration.ofSeconds(60));
            List<String> ids = predictions.stream().map(Read::key).toList();
            long distinct = ids.stream().distinct().count();
            table.record(new ReliabilityTable.Row("sasl", "replay -> score -> metrics over SCRAM-SHA-256/512", 0,
                    IMAGES, cumulative.getCount(), ids.size() - distinct, IMAGES - distinct, 0,
                    "200 predictions committed, cumulative count " + cumulative.getCount()));

            assertThat(ids).as("one prediction per replayed image")
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, IMAGES)
                            .mapToObj(i -> String.format("test-%05d", i)).toList());
            assertThat(cumulative.getCount()).isEqualTo(IMAGES);
            assertThat(TopicRecords.readCommitted(admin, topics.deadLetters(), AvroSerde.deadLetters().deserializer()))
                    .as("dead letters").isEmpty();
            for (Finished run : List.of(replay, scored, measured)) {
                assertThat(run.timedOut()).isFalse();
                assertThat(run.stderr()).doesNotContain("error: ", "\tat ", "Exception");
            }
            assertNoSecret(table, "replay, score, metrics with --verbose, succeeding",
                    List.of(replay, scored, measured), sha256, sha512);
        }
    }

    private record Case(String name, List<String> args, List<String> mustSay) {
    }

    @Test
    void withoutCredentialsWithAWrongPasswordOrAsAPlaintextClientEachAppFailsWithOneLineNamingTheFix(
            ReliabilityTable table, @TempDir Path dir) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix("sasl-refused-");
        Path wrong = clientConfig(dir.resolve("wrong-password.properties"), "SCRAM-SHA-256", USER, "not-" + PASSWORD);
        Path unknownUser = clientConfig(dir.resolve("unknown-user.properties"), "SCRAM-SHA-512", "mallory", PASSWORD);
        Path noCredentials = Files.writeString(dir.resolve("no-credentials.properties"), String.join("\n",
                "bootstrap.servers=" + broker.bootstrapServers(LISTENER), "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=SCRAM-SHA-256", ""));
        String saslServers = broker.bootstrapServers(LISTENER);
        List<String> authFailed = List.of("authentication failed", "sasl.jaas.config", "--kafka-config");
        List<String> missingLogin = List.of("sasl.jaas.config", "--kafka-config", "JAAS");
        List<String> notPlaintext = List.of(saslServers, "security.protocol", "--kafka-config");

        List<Case> cases = new ArrayList<>();
        for (String app : List.of("replay", "score", "metrics")) {
            cases.add(new Case(app + ": wrong password", appArgs(app, dir, topics, "--kafka-config", wrong.toString()),
                    authFailed));
            cases.add(new Case(app + ": wrong password, --verbose", appArgs(app, dir, topics, "--verbose",
                    "--kafka-config", wrong.toString()), authFailed));
            cases.add(new Case(app + ": no credentials in --kafka-config", appArgs(app, dir, topics, "--kafka-config",
                    noCredentials.toString()), missingLogin));
            cases.add(new Case(app + ": plaintext client, bootstrap only", appArgs(app, dir, topics,
                    "--bootstrap-server", saslServers), notPlaintext));
        }
        cases.add(new Case("replay: unknown user", appArgs("replay", dir, topics, "--kafka-config",
                unknownUser.toString()), authFailed));

        List<Timed> results = runAll(dir, cases);
        List<Finished> all = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Finished run = results.get(i).run();
            all.add(run);
            boolean verbose = c.args().contains("--verbose");
            List<String> errorLines = run.stderr().lines().filter(line -> line.startsWith("error: ")).toList();
            List<String> otherLines = run.stderr().lines()
                    .filter(line -> !line.startsWith("error: ") && !line.matches("\\d\\d:\\d\\d:\\d\\d INFO .*"))
                    .toList();
            LOG.info("{}: {}", c.name(), errorLines);
            boolean clear = !run.timedOut() && run.exit() == 1 && errorLines.size() == 1
                    && (verbose || otherLines.isEmpty()) && c.mustSay().stream().allMatch(errorLines.get(0)::contains);
            table.record(new ReliabilityTable.Row("sasl", c.name(), 1, 0, 0, 0, 0, run.timedOut() ? 1 : 0,
                    (run.timedOut() ? "hung" : "exit " + run.exit()) + String.format(" after %.1f s",
                            results.get(i).seconds()) + (clear ? ", one clear line" : ", unclear")));
            assertThat(run.timedOut()).as("%s: still running after %s", c.name(), LIMIT).isFalse();
            assertThat(run.exit()).as("%s: exit code; stderr:%n%s", c.name(), run.stderr()).isEqualTo(1);
            assertThat(errorLines).as("%s: error lines; stderr:%n%s", c.name(), run.stderr()).hasSize(1);
            assertThat(errorLines.get(0)).as(c.name()).contains(c.mustSay());
            if (verbose) {
                assertThat(run.stderr()).as("%s: the trace", c.name()).contains("\tat ");
            } else {
                assertThat(otherLines).as("%s: other stderr lines", c.name()).isEmpty();
                assertThat(run.output()).as(c.name()).doesNotContain("\tat ", "Exception in thread", "Caused by");
            }
        }
        assertNoSecret(table, "every refused run, --verbose ones included", all, wrong, unknownUser);
    }

    /** The command line of {@code app} against {@code topics}, with the given connection flags first. */
    private static List<String> appArgs(String app, Path dir, TopicNames topics, String... connection) {
        List<String> args = new ArrayList<>(List.of(app));
        args.addAll(List.of(connection));
        switch (app) {
            case "replay" -> args.addAll(List.of("--data", CifarTestData.cifar10().location().toString(),
                    "--limit", "5", "--images-topic", topics.images(), "--labels-topic", topics.labels()));
            case "score" -> args.addAll(List.of("--model", model.toString(), "--images-topic", topics.images(),
                    "--predictions-topic", topics.predictions(), "--dead-letters-topic", topics.deadLetters()));
            case "metrics" -> args.addAll(List.of("--predictions-topic", topics.predictions(), "--labels-topic",
                    topics.labels(), "--metrics-topic", topics.metrics(), "--dead-letters-topic", topics.deadLetters(),
                    "--state-dir", dir.resolve("state-" + UUID.randomUUID()).toString(), "--http-port", "0"));
            default -> throw new IllegalArgumentException(app);
        }
        return args;
    }

    /**
     * Asserts that no output of {@code runs} holds the password, the JAAS line, or any line of the config files;
     * records a row.
     */
    private static void assertNoSecret(ReliabilityTable table, String what, List<Finished> runs, Path... configs)
            throws IOException {
        List<String> secrets = new ArrayList<>(List.of(PASSWORD));
        for (Path config : configs) {
            Files.readAllLines(config).stream().filter(line -> line.startsWith("sasl.jaas.config")).forEach(secrets::add);
        }
        long leaks = runs.stream().filter(run -> secrets.stream().anyMatch(run.output()::contains)).count();
        long bytes = runs.stream().mapToLong(run -> run.output().length()).sum();
        table.record(new ReliabilityTable.Row("secrets", "password in the output: " + what, runs.size(), runs.size(),
                runs.size() - leaks, 0, 0, 0, leaks == 0 ? "absent from " + bytes + " chars printed" : leaks + " leaked"));
        for (Finished run : runs) {
            for (String secret : secrets) {
                assertThat(run.output()).as("output of a run").doesNotContain(secret);
            }
        }
    }

    private List<Read<Prediction>> awaitPredictions(TopicNames topics, CliProcess... apps) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            List<Read<Prediction>> predictions = TopicRecords.readCommitted(admin, topics.predictions(),
                    AvroSerde.predictions().deserializer());
            if (predictions.size() >= IMAGES) {
                return predictions;
            }
            requireRunning(deadline, "predictions committed: " + predictions.size() + " of " + IMAGES, apps);
            Thread.sleep(250);
        }
    }

    private MetricsSnapshot awaitCumulativeCount(TopicNames topics, CliProcess... apps) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            List<MetricsSnapshot> cumulative = TopicRecords.readCommitted(admin, topics.metrics(),
                            AvroSerde.metricsSnapshots().deserializer()).stream().map(Read::value)
                    .filter(s -> s.getView() == MetricsView.CUMULATIVE).toList();
            if (!cumulative.isEmpty() && cumulative.get(cumulative.size() - 1).getCount() >= IMAGES) {
                return cumulative.get(cumulative.size() - 1);
            }
            requireRunning(deadline, "cumulative snapshots: " + cumulative.size(), apps);
            Thread.sleep(250);
        }
    }

    private static void requireRunning(long deadline, String progress, CliProcess... apps) {
        for (CliProcess app : apps) {
            assertThat(app.isAlive()).as("an app stopped early; %s; its stdout:%n%s", progress, app.stdout()).isTrue();
        }
        assertThat(System.nanoTime()).as(progress).isLessThan(deadline);
    }

    static Path clientConfig(Path file, String mechanism, String user, String password) {
        try {
            return Files.writeString(file, String.join("\n",
                    "bootstrap.servers=" + broker.bootstrapServers(LISTENER),
                    "security.protocol=SASL_PLAINTEXT",
                    "sasl.mechanism=" + mechanism,
                    "sasl.jaas.config=" + LOGIN_MODULE + " required username=\"" + user + "\" password=\"" + password + "\";",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Timed(Finished run, double seconds) {
    }

    private static List<Timed> runAll(Path dir, List<Case> cases) throws Exception {
        // Three at a time: each waits mostly on the broker's answer, a timeout or a JVM start; two cores.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Timed>> futures = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                String name = "refused-" + i;
                futures.add(pool.submit(() -> {
                    long begin = System.nanoTime();
                    Finished run = CliProcess.run(dir, name, LIMIT, c.args());
                    return new Timed(run, (System.nanoTime() - begin) / 1e9);
                }));
            }
            List<Timed> results = new ArrayList<>();
            for (Future<Timed> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.cifarstream.cli;

import io.cifarstream.metricsstream.StreamCounters;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.inference.ReferenceLookup;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.console.Setting;

import io.cifarstream.demo.DemoModel;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.broker.LocalKafkaCluster;
import io.cifarstream.kafka.KafkaSettings;
import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import io.cifarstream.console.BearerToken;
import io.cifarstream.console.ProgressBar;
import io.cifarstream.console.UserError;
import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Shift;
import io.cifarstream.metrics.ReportTable;
import io.cifarstream.metricsstream.AlertRule;
import io.cifarstream.metricsstream.MetricsConfig;
import io.cifarstream.metricsstream.MetricsService;
import io.cifarstream.metricsstream.ViewReport;
import io.cifarstream.replay.CifarSplitSource;
import io.cifarstream.replay.ImageSource;
import io.cifarstream.replay.Replay;
import io.cifarstream.replay.ReplayPlan;
import io.cifarstream.replay.ShiftedCifarSource;
import io.cifarstream.quantization.QuantizationConfig;
import io.cifarstream.quantization.QuantizationResult;
import io.cifarstream.quantization.Quantizer;
import io.cifarstream.schemas.TopicNames;
import io.cifarstream.scorer.ModelSpec;
import io.cifarstream.scorer.Scorer;
import io.cifarstream.scorer.ScorerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code cifar-stream demo}: the whole system on one machine. Broker (embedded unless --bootstrap-server), a model
 * (given, cached, or trained now), the metrics stream with its HTTP API, the scorer, then a replay of the test split;
 * it ends by printing the final cumulative metrics once every image is scored and counted.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run everything on this machine: broker, model, scorer, live metrics, replay of the test set",
            "", "Starts an embedded Kafka broker (unless --bootstrap-server), trains a model with the fast recipe if "
                + "none is given (cached for the next run), starts the metrics stream and the scorer, replays the "
                + "CIFAR-10 test split and prints the final metrics when every image is scored and counted. With "
                + "--shift, the replay turns to corrupted images part way through, as a monitor should notice."})
public final class DemoCommand implements Callable<Integer>, FlagRules {

    /**
     * The alert the demo's metrics stream keeps: a drift distance of the last 1,000 predictions over its bound (what
     * {@code bench drift} measures; docs/benchmarks.md).
     */
    static final AlertRule DRIFT_RULE = AlertRule.parse("drift: drift.max_js in last > 0.1 min 1000");

    /** How long the replay waits for the metrics stream to read the model's reference. */
    private static final Duration REFERENCE_WAIT = Duration.ofMinutes(1);

    @Mixin
    DataFlag data;

    /** Absent: an embedded broker. Given: that cluster, with topics under a run prefix. */
    @Mixin
    KafkaFlags kafkaFlags;

    @Range(min = 1, max = 9)
    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N",
            description = "Kafka nodes the demo starts: 1 in this JVM, or N node processes forming one replicated"
                    + " cluster (3: every partition on 3 nodes, 2 in sync for a write) (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Mixin
    ReplicationFlag replication;

    @PathRule(PathRule.Kind.EXISTING_FILE)
    @Option(names = "--model", paramLabel = "FILE", description = "Score with this ONNX model instead of training one.")
    Path model;

    @Mixin
    ModelFlags modelFlags;

    @OneOf({"int8"})
    @Option(names = "--challenger", paramLabel = "int8",
            description = "Also score every image with the model's int8 model, as challenger beside the model as "
                    + "champion, so the dashboard compares them live; the int8 model is made beside the model (as "
                    + "`quantize` does) unless one made from it is there. --json FILE then also writes the "
                    + "challenger's final metrics to FILE-int8.json.")
    String challenger;

    @PathRule(PathRule.Kind.WRITABLE_FILE)
    @Option(names = "--json", paramLabel = "FILE",
            description = "Write the final cumulative metrics as JSON (the names of `evaluate --json`).")
    Path json;

    @Range(min = 1)
    @Option(names = "--epochs", defaultValue = "8", paramLabel = "N",
            description = "Epochs of the fast recipe when the demo trains its model (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Range
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Training seed, and the seed of the noise of --shift (default: ${DEFAULT-VALUE}).")
    long seed;

    @Range(min = 1, max = 10_000)
    @Option(names = "--limit", paramLabel = "N", description = "Replay the first N test images (default: all 10,000).")
    Integer limit;

    @Range(min = 0, minExcluded = true)
    @Option(names = "--rate", paramLabel = "N", description = "Replay at N images/s (default: as fast as possible).")
    Double rate;

    @Range(min = 0)
    @Option(names = "--label-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Send labels this long after their images, on the labels topic (default: inside the events).")
    Duration labelDelay;

    @Option(names = "--shift", paramLabel = "NAME:SEVERITY", converter = ShiftFlags.ShiftConverter.class,
            description = "Shift the replay part way through: after --shift-after clean images the rest are corrupted"
                    + " as CIFAR-10-C does, e.g. gaussian_noise:3 (see docs/data.md).")
    Shift shift;

    @Range(min = 0)
    @Option(names = "--shift-after", paramLabel = "N",
            description = "Clean images before --shift starts (default: half of the images replayed).")
    Integer shiftAfter;

    @Range(min = 1, max = 10_000)
    @Option(names = "--partitions", defaultValue = "2", paramLabel = "N",
            description = "Partitions of the images, predictions and labels topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Range(min = 0, max = 65535)
    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
            description = "Dashboard and metrics API port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int httpPort;

    @Matches(regex = Matches.HOST, describe = Matches.HOST_WORDS)
    @Option(names = "--http-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the dashboard binds to (default: ${DEFAULT-VALUE}).")
    String httpHost;

    @Mixin
    HttpTokenFlag httpTokenFlag;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--work-dir", defaultValue = "runs/demo", paramLabel = "DIR",
            description = "Broker data and stream state of this demo (default: ${DEFAULT-VALUE}, emptied at start).")
    Path workDir;

    @Option(names = "--keep-running", description = "Leave everything up after the replay (Ctrl-C stops it).")
    boolean keepRunning;

    @Range(min = 0, minExcluded = true)
    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up waiting for the metrics to count every image after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Cifar10 cifar = data.open();
        CifarImages test = cifar.test();
        if (limit != null) {
            test = test.first(limit);
        }
        // A stop during training ends the JVM as usual: the training resumes from its last checkpoint next time.
        Path modelFile = model != null ? requireModel(model)
                : DemoModel.trainedOrCached(DemoModel.cacheRoot(), epochs, seed, cifar.location());
        // From here ONNX Runtime is in use, and the JVM's shutdown would release it under a running model (see
        // StopSignal): a stop is seen between the steps and inside the waits below, and the demo closes the scorer,
        // the metrics stream and the broker before it exits.
        StopSignal stop = StopSignal.install();
        String modelId = modelId(modelFile);
        List<ModelSpec> models = new ArrayList<>(List.of(new ModelSpec(modelId, modelFile)));
        if (challenger != null) {
            Path int8 = int8Model(modelFile, cifar);
            models.add(new ModelSpec(modelId(int8), int8));
        }
        if (stop.awaitStop(Duration.ZERO)) {
            System.out.println("Demo stopped before it started its broker, metrics stream and scorer");
            return stop.exitCode();
        }

        BearerToken httpToken = httpTokenFlag.token();
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        List<AutoCloseable> running = new ArrayList<>();
        try {
            KafkaSettings kafka;
            TopicNames topics;
            if (nodes > 1) {
                LocalKafkaCluster cluster = LocalKafkaCluster.builder().nodes(nodes).dataDir(workDir.resolve("kafka"))
                        .defaultPartitions(partitions).start();
                running.add(cluster);
                kafka = KafkaSettings.of(cluster.bootstrapServers());
                topics = TopicNames.defaults();
                System.out.println("Kafka cluster (" + nodes + " node processes, KRaft, " + cluster.replicationFactor()
                        + " replicas, " + cluster.minInSyncReplicas() + " in sync for a write) at "
                        + cluster.bootstrapServers());
            } else if (!kafkaFlags.given()) {
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).controllerPort(0)
                        .dataDir(workDir.resolve("kafka")).defaultPartitions(partitions).start();
                running.add(broker);
                kafka = KafkaSettings.of(broker.bootstrapServers());
                topics = TopicNames.defaults();
                System.out.println("Kafka broker (embedded, KRaft) at " + broker.bootstrapServers());
            } else {
                kafka = kafkaFlags.settings();
                topics = TopicNames.defaults().withPrefix("demo-" + System.currentTimeMillis() + "-");
                System.out.println("Kafka at " + kafka.bootstrapServers() + ", topics prefixed "
                        + topics.images().replace("images", ""));
            }
            new TopicSetup(kafka).withReplicationFactor(replication.value()).ensure(List.of(
                    TopicSpec.of(topics.images(), partitions),
                    TopicSpec.of(topics.predictions(), partitions), TopicSpec.of(topics.labels(), partitions),
                    TopicSpec.of(topics.metrics(), 1), TopicSpec.of(topics.deadLetters(), 1)));

            MetricsService metrics = MetricsService.start(new MetricsService.Options(kafka,
                    MetricsConfig.defaults(topics).withAlertRules(List.of(DRIFT_RULE)), "cifar-demo-metrics", workDir.resolve("metrics-state"), httpHost,
                    httpPort, Map.of(), httpToken).withReplicationFactor(replication.value()));
            running.add(0, metrics);
            URI dashboard = metrics.httpAddress();
            System.out.println("Dashboard and metrics API at " + dashboard + "/" + (httpToken.required()
                    ? " (bearer token required: open " + dashboard + "/#token=<token> in a browser)" : ""));

            Scorer scorer = Scorer.start(ScorerConfig.of(kafka, models, modelFlags.toOptions()).withTopics(topics)
                    .withPartitions(partitions).withReplicationFactor(replication.value()).withInstanceId("demo")
                    .withStatus(Duration.ofSeconds(5), line -> { }));
            running.add(0, scorer);
            stop.throwIfAsked();
            for (ModelSpec spec : models) {
                System.out.println("Scorer scoring '" + topics.images() + "' with model " + spec.id() + " ("
                        + spec.path() + ")" + (models.size() > 1 && spec.id().equals(modelId) ? ", the champion"
                        : models.size() > 1 ? ", the challenger" : ""));
            }
            awaitReferences(metrics, scorer, models, stop);

            ReplayPlan plan = ReplayPlan.all();
            if (rate != null) {
                plan = plan.withRate(rate);
            }
            if (labelDelay != null) {
                plan = plan.withLateLabels(labelDelay);
            }
            ImageSource source = source(test, plan);
            System.out.println("Replaying " + source.description());
            Replay.Summary replayed;
            try (ProgressBar bar = ProgressBar.start("replay", test.size(), "img")) {
                replayed = new Replay(kafka, topics, partitions, replication.value()).run(source, plan, images -> {
                    bar.stepBy(images);
                    stop.throwIfAsked();
                });
            }
            System.out.printf(Locale.ROOT, "Replayed %d test images in %.1f s%n", replayed.images(),
                    replayed.elapsed().toMillis() / 1000.0);

            for (ModelSpec spec : models) {
                ViewReport last = awaitCount(metrics, httpToken, spec.id(), replayed.images(), stop);
                System.out.println();
                System.out.println("Final cumulative metrics of " + spec.id() + " over " + last.report().count()
                        + " test images (live, from the metrics stream):");
                System.out.println(new ReportTable(test.classNames()).render(last.report()));
                System.out.println(labelFreeLine(last));
                System.out.println(driftLine(lastView(dashboard, httpToken, spec.id())));
                if (json != null) {
                    Path file = spec.id().equals(modelId) ? json : challengerJson(json);
                    Files.writeString(file, last.toJson());
                    System.out.println("Wrote " + file);
                }
            }
            System.out.printf(Locale.ROOT, "Demo done in %.0f s. Dashboard: %s/%n",
                    (System.nanoTime() - started) / 1e9, dashboard);
            if (keepRunning) {
                System.out.println("Everything keeps running (--keep-running): Ctrl-C stops it.");
                // Everything closes (below) before the JVM's shutdown begins.
                stop.asked().await();
                return stop.exitCode();
            }
            return 0;
        } catch (StopSignal.Asked asked) {
            closeAll(running);
            System.out.println("Demo stopped: the scorer, the metrics stream and the broker are closed");
            return stop.exitCode();
        } finally {
            closeAll(running);
        }
    }

    @Override
    public void checkFlags(CommandLine commandLine) {
        if (nodes > 1 && kafkaFlags.given()) {
            throw new ParameterException(commandLine, "--nodes starts the demo's own cluster; --bootstrap-server and"
                    + " --kafka-config name one that runs already: give one of them");
        }
        if (shiftAfter != null && shift == null) {
            throw new ParameterException(commandLine, "--shift-after says when --shift starts: give --shift "
                    + "NAME:SEVERITY too");
        }
    }

    /**
     * Each model with a reference file made for its version beside it has the scorer publish the reference as it
     * starts; the replay waits until the metrics stream has read them all, since predictions counted before a
     * model's reference have no label-free estimates.
     */
    private static void awaitReferences(MetricsService metrics, Scorer scorer, List<ModelSpec> models,
            StopSignal stop) throws InterruptedException {
        int published = 0;
        for (ModelSpec spec : models) {
            ReferenceLookup lookup = ReferenceFile.lookUp(spec.path(), scorer.metrics().modelVersions().get(spec.id()));
            if (lookup.reference().isEmpty()) {
                System.out.println("No label-free estimates for " + spec.id() + ": " + lookup.explanation());
            } else {
                published++;
                System.out.println("Model reference " + lookup.file() + " published: the metrics stream estimates "
                        + spec.id() + "'s accuracy without labels (docs/metrics.md)");
            }
        }
        long deadline = System.nanoTime() + REFERENCE_WAIT.toNanos();
        while (metrics.counters().count(StreamCounters.Event.REFERENCE_READ) < published) {
            if (System.nanoTime() > deadline) {
                System.out.println("warning: the metrics stream has not read every model reference after "
                        + REFERENCE_WAIT.toSeconds() + " s; the estimates leave out the images scored before it does");
                return;
            }
            stop.pause(Duration.ofMillis(50));
        }
    }

    /** The label-free estimate beside the realized accuracy, or why there is none. */
    private static String labelFreeLine(ViewReport report) {
        ConfidenceEstimate estimates = report.monitoring().estimates();
        if (estimates == null) {
            return "No label-free estimates: " + report.monitoring().referenceMissing();
        }
        return String.format(Locale.ROOT, "Estimated accuracy without labels %.4f (AC %.4f, ATC %.4f) over %d"
                + " predictions; realized %.4f", estimates.estimatedAccuracy(), estimates.estimatedAccuracyAc(),
                estimates.estimatedAccuracyAtc(), estimates.count(), report.report().accuracy());
    }

    /** The last-N view's report of the model. */
    private static ViewReport lastView(URI api, BearerToken token, String modelId) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(token.authorize(HttpRequest.newBuilder(
                api.resolve("/api/models/" + modelId + "?view=last")).GET()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("the metrics API answered " + response.statusCode() + " for the last view of "
                    + modelId + ": " + response.body());
        }
        return ViewReport.fromJson(response.body());
    }

    /** The drift alert's state in the last-N view: firing (and the distance) or not, or why it was never evaluated. */
    private static String driftLine(ViewReport last) {
        return last.alerts().stream().filter(a -> a.rule().equals(DRIFT_RULE.name())).findFirst()
                .map(a -> a.value() == null
                        ? "Drift alert (" + a.condition() + "): not evaluated (fewer than 1,000 predictions, or no reference)"
                        : String.format(Locale.ROOT, "Drift alert (%s): %s, largest distance of the last %d predictions %.3f",
                                a.condition(), a.firing() ? "FIRING" : "not firing", last.monitoring().estimates() == null
                                        ? 0 : last.monitoring().estimates().count(), a.value()))
                .orElse("Drift alert: not in the report");
    }

    /** The test images in order: clean, or clean up to the shift and corrupted from there. */
    private ImageSource source(CifarImages test, ReplayPlan plan) {
        if (shift == null) {
            return new CifarSplitSource(test);
        }
        return ShiftedCifarSource.after(new CorruptedImages(test, shift, seed), plan,
                shiftAfter != null ? shiftAfter : test.size() / 2);
    }

    /** Polls the metrics API until the model's cumulative view counts {@code expected} images; fails if the stream stops. */
    private ViewReport awaitCount(MetricsService metrics, BearerToken token, String modelId, int expected,
            StopSignal stop) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = metrics.httpAddress().resolve("/api/models/" + modelId + "?view=cumulative");
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = -1;
        try (ProgressBar bar = ProgressBar.start("scored and counted", expected, "img")) {
            while (System.nanoTime() < deadline) {
                Optional<RuntimeException> failure = metrics.failure();
                if (failure.isPresent()) {
                    throw failure.get();
                }
                HttpResponse<String> response = http.send(token.authorize(HttpRequest.newBuilder(uri).GET()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ViewReport report = ViewReport.fromJson(response.body());
                    long count = report.report().count();
                    if (count > seen) {
                        bar.stepBy(count - Math.max(seen, 0));
                        seen = count;
                    }
                    if (count >= expected) {
                        return report;
                    }
                }
                stop.pause(Duration.ofMillis(250));
            }
        }
        throw new UserError(Setting.TIMEOUT, "after " + timeout + " the metrics count " + Math.max(seen, 0) + " of "
                + expected + " images: the scorer or the metrics stream is stuck; rerun with --verbose, or wait longer");
    }

    /** The int8 model beside {@code fp32}: the one there if it was made from this model, else made now. */
    private Path int8Model(Path fp32, Cifar10 cifar) throws IOException {
        Path int8 = Quantizer.besideFp32(fp32);
        if (Quantizer.madeFrom(int8, fp32, modelFlags.toOptions())) {
            System.out.println("int8 challenger " + int8 + " (made from " + fp32.getFileName() + " before)");
            return int8;
        }
        System.out.println("Making the int8 challenger " + int8 + " (calibrating on training images, then checking it"
                + " against " + fp32.getFileName() + ")");
        QuantizationResult made = Quantizer.quantize(fp32, modelFlags.toOptions(), cifar.train(), cifar.test(),
                QuantizationConfig.defaults(), int8);
        System.out.print(QuantizationFlags.describe(made));
        return made.model();
    }

    /** {@code final.json} → {@code final-int8.json}: where the challenger's final metrics go. */
    static Path challengerJson(Path json) {
        String name = json.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(stem + "-int8.json");
    }

    private static Path requireModel(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(Setting.MODEL, "no model file at " + file + ": give an .onnx file, or none to let"
                    + " the demo train one");
        }
        return file;
    }

    /**
     * {@code runs/x/model.onnx} is {@code x}, its int8 model {@code runs/x/model-int8.onnx} is {@code x-int8}; any
     * other file is its name without {@code .onnx}.
     */
    static String modelId(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path parent = file.toAbsolutePath().getParent();
        boolean inRun = parent != null && parent.getFileName() != null;
        if (inRun && name.equals("model")) {
            return parent.getFileName().toString();
        }
        return inRun && name.equals("model-int8") ? parent.getFileName() + "-int8" : name;
    }

    private static void closeAll(List<AutoCloseable> running) {
        synchronized (running) {
            for (AutoCloseable c : running) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e.getMessage());
                }
            }
            running.clear();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.w3c.dom.NodeList;

import io.cifarstream.schemas.TopicNames;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs where this project is built):
 * their structure, the Kafka settings a single KRaft node needs and those of the three-node cluster profile
 * ({@code --env-file cluster.env}), and every cifar-stream command in them parsed by the real command line, so a
 * renamed or mistyped flag fails here rather than in a container at start-up.
 */
class DockerComposeFileTest {

    /** Tests run in the app module; the files sit at the repository root. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PORT = Pattern.compile("^(?:(\\d{1,5}):)?(\\d{1,5})(?:/(?:tcp|udp))?$");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LOCAL_URL_PORT = Pattern.compile("http://localhost:(\\d+)/");
    private static final Pattern TOPIC_CREATION = Pattern.compile("--topic (\\S+) --partitions (\\d+)");
    private static final Set<String> CONDITIONS =
            Set.of("service_started", "service_healthy", "service_completed_successfully");

    private final ComposeFile compose;
    private final Dockerfile dockerfile;

    DockerComposeFileTest() throws IOException {
        compose = ComposeFile.load(ROOT.resolve("docker-compose.yml"));
        dockerfile = Dockerfile.load(ROOT.resolve("Dockerfile"));
    }

    @Test
    void everyServiceHasAnImageOrABuildAndOtherImagesArePinned() {
        for (ComposeService service : compose.services().values()) {
            assertThat(service.image().isPresent() || service.hasBuild()).as(service.name() + ": image or build")
                    .isTrue();
            if (!service.hasBuild()) {
                assertThat(service.image().orElseThrow()).as(service.where("image") + " names a version")
                        .matches(".+:[^:/]+").doesNotEndWith(":latest");
            }
        }
        assertThat(compose.service("kafka").image()).as("the official image of the Kafka version the clients use")
                .hasValue("apache/kafka:" + AppInfoParser.getVersion());
    }

    @Test
    void portsAreWellFormedAndPublishedOnce() {
        Set<String> hostPorts = new HashSet<>();
        for (ComposeService service : compose.services().values()) {
            for (String port : service.ports()) {
                Matcher m = PORT.matcher(port);
                assertThat(m.matches()).as(service.where("ports") + ": '" + port + "' is [HOST:]CONTAINER[/tcp]")
                        .isTrue();
                for (int group = 1; group <= 2; group++) {
                    if (m.group(group) != null) {
                        assertThat(Integer.parseInt(m.group(group))).as(port).isBetween(1, 65535);
                    }
                }
                if (m.group(1) != null) {
                    assertThat(hostPorts.add(m.group(1))).as("host port " + m.group(1) + " published twice").isTrue();
                }
            }
        }
        assertThat(hostPorts).as("the metrics HTTP API and Kafka for host clients").isNotEmpty();
    }

    @Test
    void environmentNamesAreLegalAndValuesAreScalars() {
        for (ComposeService service : compose.services().values()) {
            // environment() itself rejects nested values and items that are not KEY=VALUE.
            for (Map.Entry<String, String> variable : service.environment().entrySet()) {
                assertThat(variable.getKey()).as(service.where("environment")).matches(ENV_NAME);
                assertThat(variable.getValue()).as(service.where("environment." + variable.getKey()))
                        .isNotBlank().isEqualTo(variable.getValue().strip());
            }
        }
    }

    @Test
    void volumesMountAtAbsolutePathsAndEveryNamedVolumeIsDeclaredAndUsed() {
        Set<String> used = new HashSet<>();
        for (ComposeService service : compose.services().values()) {
            for (ComposeService.Mount mount : service.mounts()) {
                assertThat(mount.target()).as(service.where("volumes")).startsWith("/");
                assertThat(mount.mode()).as(service.where("volumes")).isIn("ro", "rw");
                boolean bindMount = mount.source().startsWith(".") || mount.source().startsWith("/")
                        || mount.source().startsWith("${");
                if (!bindMount) {
                    assertThat(compose.namedVolumes()).as(service.where("volumes") + ": a declared volume")
                            .contains(mount.source());
                    used.add(mount.source());
                }
            }
        }
        assertThat(used).as("declared volumes in use").containsExactlyInAnyOrderElementsOf(compose.namedVolumes());
    }

    @Test
    void everyCifarStreamServiceRunsARealSubcommandWhoseOptionsParse() {
        Set<String> subcommands = Main.commandLine().getSubcommands().keySet();
        Map<String, Integer> runs = new HashMap<>();
        for (ComposeService service : compose.cifarStreamServices()) {
            List<String> command = service.command();
            assertThat(command).as(service.where("command")).isNotEmpty();
            assertThat(subcommands).as(service.where("command") + "'s first word").contains(command.get(0));
            ParseResult parsed = parse(service);
            assertThat(parsed.commandSpec().name()).isEqualTo(command.get(0));
            if (service.profiles().isEmpty()) {
                runs.merge(command.get(0), 1, Integer::sum);
            }
        }
        assertThat(runs).as("by default: two scorers, the metrics stream and a replay")
                .containsEntry("score", 2).containsEntry("metrics", 1).containsEntry("replay", 1);
    }

    @Test
    void everyAbsolutePathInACommandLiesOnAVolumeOfItsService() {
        for (ComposeService service : compose.cifarStreamServices()) {
            for (String word : service.command()) {
                // --model takes [ID=]PATH
                String path = word.substring(word.indexOf('=') + 1);
                if (path.startsWith("/")) {
                    assertThat(service.mounts()).as(service.name() + ": a volume holding " + path)
                            .anyMatch(mount -> mount.holds(path));
                }
            }
        }
    }

    @Test
    void publishedAndCheckedHttpPortsAreTheCommandsOwnOnEveryInterface() {
        for (ComposeService service : compose.cifarStreamServices()) {
            ParseResult command = parse(service);
            for (String port : service.ports()) {
                Matcher m = PORT.matcher(port);
                assertThat(m.matches()).isTrue();
                assertThat(m.group(2)).as(service.name() + " publishes its --http-port")
                        .isEqualTo(option(command, "--http-port"));
                assertThat(option(command, "--http-host")).as(service.name() + ": reachable from outside")
                        .isEqualTo("0.0.0.0");
            }
            String healthcheck = String.join(" ", service.healthcheck().orElse(List.of()));
            Matcher url = LOCAL_URL_PORT.matcher(healthcheck);
            while (url.find()) {
                assertThat(url.group(1)).as(service.name() + "'s healthcheck asks its --http-port")
                        .isEqualTo(option(command, "--http-port"));
            }
        }
        assertThat(compose.service("metrics").ports()).as("the metrics API and dashboard are published")
                .isNotEmpty();
    }

    @Test
    void everyKafkaClientUsesTheBrokersAdvertisedAddressOnTheComposeNetwork() {
        ComposeService kafka = compose.service("kafka");
        Set<String> onNetwork = new HashSet<>();
        for (String listener : kafka.environment().get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
            String address = listener.substring(listener.indexOf("://") + 3);
            if (address.startsWith(kafka.name() + ":")) {
                onNetwork.add(address);
            }
        }
        assertThat(onNetwork).as("an advertised listener named after the kafka service").isNotEmpty();
        for (ComposeService service : compose.cifarStreamServices()) {
            ParseResult command = parse(service);
            if (command.commandSpec().findOption("--bootstrap-server") != null) {
                assertThat(option(command, "--bootstrap-server")).as(service.name()).isIn(onNetwork);
                assertThat(service.dependsOn()).as(service.name() + " waits for a healthy broker")
                        .containsEntry("kafka", "service_healthy");
            }
        }
        Matcher script = Pattern.compile("--bootstrap-server (\\S+)").matcher(topicCreationScript());
        assertThat(script.find()).isTrue();
        assertThat(script.group(1)).isIn(onNetwork);
    }

    @Test
    void dependenciesExistAndTheirConditionsCanBeMet() {
        Map<String, ComposeService> services = compose.services();
        for (ComposeService service : services.values()) {
            service.dependsOn().forEach((dependency, condition) -> {
                assertThat(services).as(service.where("depends_on")).containsKey(dependency);
                assertThat(condition).as(service.where("depends_on." + dependency)).isIn(CONDITIONS);
                ComposeService target = services.get(dependency);
                if (condition.equals("service_healthy")) {
                    assertThat(target.healthcheck()).as(dependency + " has a healthcheck").isPresent();
                }
                if (condition.equals("service_completed_successfully")) {
                    assertThat(target.restart()).as(dependency + " runs once").isEqualTo("no");
                }
                if (service.profiles().isEmpty()) {
                    assertThat(target.profiles()).as(service.name() + " runs by default, so does " + dependency)
                            .isEmpty();
                }
            });
        }
    }

    @Test
    void everyLongRunningServiceHasAnExecHealthcheck() {
        for (ComposeService service : compose.services().values()) {
            if (!service.restart().equals("no")) {
                assertThat(service.healthcheck()).as(service.where("healthcheck")).isPresent();
                assertThat(service.healthcheck().orElseThrow().get(0)).as(service.where("healthcheck.test"))
                        .isIn("CMD", "CMD-SHELL");
            }
        }
    }

    @Test
    void kafkaRunsKRaftAloneWithOneReplicaForEveryInternalTopic() {
        Map<String, String> env = compose.service("kafka").environment();
        assertThat(env).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT").containsKey("CLUSTER_ID");
        assertThat(env.get("CLUSTER_ID")).as("a base64url UUID").matches("[A-Za-z0-9_-]{22}");
        assertThat(Set.of(env.get("KAFKA_PROCESS_ROLES").split(","))).containsExactlyInAnyOrder("broker", "controller");

        String voter = env.get("KAFKA_NODE_ID") + "@kafka:";
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).as("this node is the only voter").startsWith(voter)
                .doesNotContain(",");
        String controllerPort = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").substring(voter.length());
        Map<String, String> listeners = new LinkedHashMap<>();
        for (String listener : env.get("KAFKA_LISTENERS").split(",")) {
            listeners.put(listener.substring(0, listener.indexOf("://")),
                    listener.substring(listener.lastIndexOf(':') + 1));
        }
        assertThat(listeners).containsEntry(env.get("KAFKA_CONTROLLER_LISTENER_NAMES"), controllerPort);
        Set<String> mapped = List.of(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(",")).stream()
                .map(pair -> pair.substring(0, pair.indexOf(':'))).collect(Collectors.toSet());
        assertThat(mapped).as("every listener has a security protocol").containsAll(listeners.keySet());

        assertThat(env).containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1");
        env.forEach((name, value) -> {
            if (name.endsWith("_REPLICATION_FACTOR") || name.endsWith("_MIN_ISR")) {
                assertThat(value).as(name + " on a single node").isEqualTo("1");
            }
        });
    }

    @Test
    void topicCreationMakesEveryProjectTopicWithCoPartitionedJoinInputs() {
        String script = topicCreationScript();
        Map<String, Integer> partitions = new HashMap<>();
        Matcher m = TOPIC_CREATION.matcher(script);
        while (m.find()) {
            partitions.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        TopicNames topics = TopicNames.defaults();
        assertThat(partitions).containsOnlyKeys(topics.all()).allSatisfy((topic, count) ->
                assertThat(count).as(topic).isPositive());
        assertThat(partitions.get(topics.labels())).as("the metrics stream joins predictions and labels by key")
                .isEqualTo(partitions.get(topics.predictions()));
        assertThat(script).as("replicated as the brokers' default: 1 alone, 3 in the cluster profile")
                .doesNotContain("--replication-factor").contains("--if-not-exists");
    }

    @Test
    void byDefaultOneKafkaNodeRunsAndTheClusterProfileAddsTwoMore() {
        assertThat(kafkaNodes(compose.servicesOf(Set.of()))).as("docker compose up").containsOnlyKeys("kafka");
        assertThat(kafkaNodes(compose.servicesOf(Set.of("cluster")))).as("the cluster profile")
                .containsOnlyKeys("kafka", "kafka-2", "kafka-3");
    }

    @Test
    void theClusterProfileIsThreeKRaftNodesOfOneClusterWithThreeReplicasTwoInSyncAndClientsThatKnowThemAll()
            throws IOException {
        Map<String, String> variables = ComposeFile.envFile(ROOT.resolve("cluster.env"));
        assertThat(variables).as("cluster.env turns the profile on").containsEntry("COMPOSE_PROFILES", "cluster");
        ComposeFile cluster = ComposeFile.load(ROOT.resolve("docker-compose.yml"), variables);
        Map<String, ComposeService> running = cluster.servicesOf(Set.of(variables.get("COMPOSE_PROFILES").split(",")));
        Map<String, ComposeService> nodes = kafkaNodes(running);
        assertThat(nodes).hasSize(3);

        Set<String> voters = new HashSet<>();
        Set<String> nodeIds = new HashSet<>();
        Set<String> clusterIds = new HashSet<>();
        Set<String> dataVolumes = new HashSet<>();
        Set<String> onNetwork = new HashSet<>();
        for (ComposeService node : nodes.values()) {
            Map<String, String> env = node.environment();
            voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
            nodeIds.add(env.get("KAFKA_NODE_ID"));
            clusterIds.add(env.get("CLUSTER_ID"));
            node.mounts().forEach(mount -> dataVolumes.add(mount.source()));
            assertThat(Set.of(env.get("KAFKA_PROCESS_ROLES").split(","))).as(node.name())
                    .containsExactlyInAnyOrder("broker", "controller");
            String controllerPort = env.get("KAFKA_LISTENERS").replaceAll(".*CONTROLLER://:(\\d+).*", "$1");
            assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).as(node.name() + " is a voter at its controller port")
                    .contains(env.get("KAFKA_NODE_ID") + "@" + node.definition().get("hostname") + ":" + controllerPort);
            for (String name : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "KAFKA_DEFAULT_REPLICATION_FACTOR")) {
                assertThat(env).as(node.name()).containsEntry(name, "3");
            }
            for (String name : List.of("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
                    "KAFKA_MIN_INSYNC_REPLICAS")) {
                assertThat(env).as(node.name()).containsEntry(name, "2");
            }
            for (String listener : env.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
                String address = listener.substring(listener.indexOf("://") + 3);
                if (address.startsWith(node.name() + ":")) {
                    onNetwork.add(address);
                }
            }
        }
        assertThat(voters).as("one controller quorum").hasSize(1);
        assertThat(voters.iterator().next().split(",")).as("every node votes").hasSize(3);
        assertThat(nodeIds).containsExactlyInAnyOrder("1", "2", "3");
        assertThat(clusterIds).as("formatted as one cluster").hasSize(1);
        assertThat(dataVolumes).as("each node keeps its own data").hasSize(3);
        for (ComposeService service : running.values()) {
            if (service.runsCifarStream() && parse(service).commandSpec().findOption("--bootstrap-server") != null) {
                assertThat(List.of(option(parse(service), "--bootstrap-server").split(",")))
                        .as(service.name() + " bootstraps from every node").containsExactlyInAnyOrderElementsOf(onNetwork);
            }
        }
    }

    /** The services that run a Kafka node: Apache Kafka's image with a node id. */
    private static Map<String, ComposeService> kafkaNodes(Map<String, ComposeService> services) {
        Map<String, ComposeService> nodes = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            if (service.image().orElse("").startsWith("apache/kafka:")
                    && service.environment().containsKey("KAFKA_NODE_ID")) {
                nodes.put(name, service);
            }
        });
        return nodes;
    }

    @Test
    void theScorersShareOneGroupWithDistinctInstanceIds() {
        List<ParseResult> scorers = new ArrayList<>();
        for (ComposeService service : compose.cifarStreamServices()) {
            if (service.command().get(0).equals("score")) {
                scorers.add(parse(service));
            }
        }
        List<String> instanceIds = scorers.stream().map(s -> option(s, "--instance-id")).toList();
        assertThat(instanceIds).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
        assertThat(scorers.stream().map(s -> option(s, "--group")).distinct()).hasSize(1);
    }

    @Test
    void theGpuScorerIsAnOptInProfileOnAnNvidiaDeviceBuiltWithTheCudaProfile() throws Exception {
        List<ComposeService> gpu = compose.services().values().stream()
                .filter(service -> service.profiles().contains("gpu")).toList();
        assertThat(gpu).hasSize(1);
        ComposeService scorer = gpu.get(0);
        assertThat(scorer.command().get(0)).isEqualTo("score");
        assertThat(option(parse(scorer), "--device")).isEqualTo("cuda");
        Map<String, Object> reservations = YamlValues.map(YamlValues.map(YamlValues.map(
                scorer.definition().get("deploy"), "deploy").get("resources"), "resources").get("reservations"),
                "reservations");
        assertThat(YamlValues.list(reservations.get("devices"), "devices")).anySatisfy(device -> {
            Map<String, Object> d = YamlValues.map(device, "device");
            assertThat(d).containsEntry("driver", "nvidia");
            assertThat(YamlValues.strings(d.get("capabilities"), "capabilities")).contains("gpu");
        });
        assertThat(scorer.buildArgs()).containsEntry("MAVEN_PROFILE", "cuda");
        assertThat(mavenProfiles(ROOT.resolve("app/pom.xml"))).as("app/pom.xml's profiles").contains("cuda");

        for (ComposeService service : compose.cifarStreamServices()) {
            if (!service.profiles().contains("gpu") && parse(service).commandSpec().findOption("--device") != null) {
                assertThat(option(parse(service), "--device")).as(service.name() + " runs without a GPU")
                        .isEqualTo("cpu");
            }
        }
    }

    @Test
    void everyBuildArgumentIsDeclaredInTheDockerfileAndEveryDeclaredOneIsUsed() throws IOException {
        Map<String, String> declared = dockerfile.args();
        for (ComposeService service : compose.services().values()) {
            assertThat(declared.keySet()).as(service.where("build.args") + " are ARGs of the Dockerfile")
                    .containsAll(service.buildArgs().keySet());
        }
        String text = Files.readString(ROOT.resolve("Dockerfile"));
        for (String arg : declared.keySet()) {
            assertThat(text).as("ARG " + arg + " is used").containsAnyOf("${" + arg, "$" + arg + " ");
        }
    }

    @Test
    void theReplayJobRunsOnceAfterTheTopicsExistAndReadsCifarFromItsDataVolume() {
        ComposeService replay = compose.service("replay");
        assertThat(replay.restart()).isEqualTo("no");
        assertThat(replay.dependsOn()).containsEntry("kafka", "service_healthy")
                .containsEntry(topicCreationService().name(), "service_completed_successfully");
        String data = option(parse(replay), "--data");
        assertThat(data).endsWith("cifar-10-binary.tar.gz");
        assertThat(replay.mounts()).anyMatch(mount -> mount.holds(data) && mount.mode().equals("ro"));
    }

    @Test
    void theImageStartsTheJvmAsBinCifarStreamDoes() throws IOException {
        LauncherScript launcher = LauncherScript.load(ROOT.resolve("bin/cifar-stream"));
        List<String> entrypoint = dockerfile.entrypoint();
        assertThat(entrypoint.get(0)).isEqualTo("java");
        Map<String, String> imageProperties = new LinkedHashMap<>();
        for (String word : entrypoint) {
            if (word.startsWith("-D")) {
                String[] nameAndValue = word.substring(2).split("=", 2);
                imageProperties.put(nameAndValue[0], nameAndValue.length > 1 ? nameAndValue[1] : "");
            }
        }
        Map<String, String> scriptProperties = launcher.jvmSystemProperties();
        assertThat(scriptProperties).containsKeys("ai.djl.offline", "java.awt.headless", "java.io.tmpdir");
        assertThat(imageProperties.keySet()).containsExactlyInAnyOrderElementsOf(scriptProperties.keySet());
        scriptProperties.forEach((name, value) -> {
            if (value.contains("$")) {
                // a value the script computes (the tmpdir): the image fixes an absolute path instead
                assertThat(imageProperties.get(name)).as(name).startsWith("/");
            } else {
                assertThat(imageProperties.get(name)).as(name).isEqualTo(value);
            }
        });
        assertThat(launcher.exportedDefaults()).containsKey("OMP_WAIT_POLICY");
        launcher.exportedDefaults().forEach((name, value) ->
                assertThat(dockerfile.env()).as("ENV " + name).containsEntry(name, value));
    }

    @Test
    void theImageRunsTheBuiltJarWithItsLibrariesBesideIt() {
        List<String> entrypoint = dockerfile.entrypoint();
        int jarFlag = entrypoint.indexOf("-jar");
        assertThat(jarFlag).as("java ... -jar JAR").isPositive().isLessThan(entrypoint.size() - 1);
        Path jar = Path.of(entrypoint.get(jarFlag + 1));
        Map<String, String> copiedTo = new HashMap<>();
        for (List<String> copy : dockerfile.copies()) {
            copiedTo.put(copy.get(0), copy.get(copy.size() - 1));
        }
        assertThat(copiedTo).as("COPY --from=build ... of the thin jar and its lib/ (the manifest's class path)")
                .containsEntry("/src/app/target/cifar-stream.jar", jar.toString())
                .containsEntry("/src/app/target/lib", jar.resolveSibling("lib").toString());
    }

    @Test
    void theImageRunsAsAnUnprivilegedUserOnAGlibcBase() throws IOException {
        assertThat(dockerfile.last("USER")).as("USER in the final stage").isPresent();
        assertThat(dockerfile.last("USER").orElseThrow()).isNotIn("root", "0", "0:0");
        assertThat(dockerfile.instructions().stream().filter(i -> i.keyword().equals("FROM"))
                .reduce((first, second) -> second).orElseThrow().arguments()).isEqualTo("${RUNTIME_BASE}");
        assertThat(dockerfile.args().get("RUNTIME_BASE")).as("ONNX Runtime and libtorch need glibc")
                .isNotBlank().doesNotContain("alpine");
        assertThat(dockerfile.last("VOLUME").orElseThrow()).contains("/models", "/data");
        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).as("the image builds its own jars")
                .contains("**/target/");
    }

    private ComposeService topicCreationService() {
        List<ComposeService> creators = compose.services().values().stream()
                .filter(service -> String.join(" ", service.command()).contains("kafka-topics.sh")).toList();
        assertThat(creators).as("one service creates the topics").hasSize(1);
        return creators.get(0);
    }

    /** The topic-creation script as the shell sees it: Compose turns {@code $$} into {@code $}. */
    private String topicCreationScript() {
        return String.join(" ", topicCreationService().command()).replace("$$", "$");
    }

    /** The service's command parsed by a fresh {@code cifar-stream} command line, without running it. */
    private static ParseResult parse(ComposeService service) {
        try {
            return Main.commandLine().parseArgs(service.command().toArray(String[]::new)).subcommand();
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError(service.where("command") + " is not a valid cifar-stream command line: "
                    + e.getMessage(), e);
        }
    }

    /** The option's last given value, else its default (null when it has none). */
    private static String option(ParseResult command, String name) {
        OptionSpec spec = command.commandSpec().findOption(name);
        assertThat(spec).as(command.commandSpec().name() + " has " + name).isNotNull();
        if (command.hasMatchedOption(name)) {
            List<String> values = command.matchedOption(name).stringValues();
            return values.get(values.size() - 1);
        }
        return spec.defaultValue();
    }

    private static List<String> mavenProfiles(Path pom) throws Exception {
        NodeList ids = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                .getElementsByTagName("profile");
        List<String> profiles = new ArrayList<>();
        for (int i = 0; i < ids.getLength(); i++) {
            NodeList children = ids.item(i).getChildNodes();
            for (int j = 0; j < children.getLength(); j++) {
                if (children.item(j).getNodeName().equals("id")) {
                    profiles.add(children.item(j).getTextContent().strip());
                }
            }
        }
        return profiles;
    }
}

package io.cifarstream.testkit;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.broker.LocalKafkaCluster;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Injects a {@link KafkaBroker} or a {@link KafkaCluster} into test and lifecycle method parameters. One broker serves
 * the whole test run: it is started on first use, kept in the root extension context's store and stopped when
 * the run ends. Which broker is chosen by {@link BrokerKind#PROPERTY}: Apache Kafka's Docker image
 * through Testcontainers (same version as the Kafka clients; override the image with
 * {@value #IMAGE_PROPERTY}) or the in-process {@link EmbeddedKafkaBroker}. Likewise one three-node cluster of node
 * processes ({@link LocalKafkaCluster}) serves every test that asks for a {@link KafkaCluster}, started on first use.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

    /** Configuration parameter or system property naming the Docker image for {@link BrokerKind#TESTCONTAINERS}. */
    public static final String IMAGE_PROPERTY = "cifarstream.kafka.image";

    private static final int CLUSTER_NODES = 3;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == KafkaBroker.class || type == KafkaCluster.class;
    }

    @Override
    public KafkaBroker resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        ExtensionContext root = extensionContext.getRoot();
        if (parameterContext.getParameter().getType() == KafkaCluster.class) {
            return root.getStore(NAMESPACE)
                    .getOrComputeIfAbsent(RunningKafkaCluster.class, key -> startCluster(), RunningKafkaCluster.class);
        }
        return root.getStore(NAMESPACE)
                .getOrComputeIfAbsent(RunningKafkaBroker.class, key -> start(root), RunningKafkaBroker.class);
    }

    private static RunningKafkaCluster startCluster() {
        long begin = System.nanoTime();
        RunningKafkaCluster cluster = new RunningKafkaCluster(LocalKafkaCluster.builder().nodes(CLUSTER_NODES).start());
        LOG.info("Kafka cluster for this test run: {}, started in {} ms", cluster,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        return cluster;
    }

    private static RunningKafkaBroker start(ExtensionContext root) {
        BrokerKind requested = root.getConfigurationParameter(BrokerKind.PROPERTY, BrokerKind::parse).orElse(BrokerKind.AUTO);
        boolean dockerNeeded = requested != BrokerKind.EMBEDDED;
        boolean dockerAvailable = dockerNeeded && DockerClientFactory.instance().isDockerAvailable();
        if (requested == BrokerKind.TESTCONTAINERS && !dockerAvailable) {
            throw new IllegalStateException(BrokerKind.PROPERTY + "=testcontainers but Docker is not available:"
                    + " start Docker or run with -D" + BrokerKind.PROPERTY + "=embedded");
        }
        BrokerKind kind = requested == BrokerKind.AUTO
                ? (dockerAvailable ? BrokerKind.TESTCONTAINERS : BrokerKind.EMBEDDED)
                : requested;
        long begin = System.nanoTime();
        RunningKafkaBroker broker = kind == BrokerKind.TESTCONTAINERS ? startContainer(root) : startEmbedded();
        LOG.info("Kafka for this test run: {} ({}={}), started in {} ms", broker, BrokerKind.PROPERTY,
                requested.name().toLowerCase(Locale.ROOT), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        return broker;
    }

    private static RunningKafkaBroker startEmbedded() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start();
        return new RunningKafkaBroker(broker.bootstrapServers(), "embedded KRaft broker", broker::close);
    }

    private static RunningKafkaBroker startContainer(ExtensionContext root) {
        // The broker runs the clients' own Kafka version unless told otherwise.
        String image = root.getConfigurationParameter(IMAGE_PROPERTY).orElse("apache/kafka:" + AppInfoParser.getVersion());
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image));
        container.start();
        return new RunningKafkaBroker(container.getBootstrapServers(), "Testcontainers " + image, container::stop);
    }
}

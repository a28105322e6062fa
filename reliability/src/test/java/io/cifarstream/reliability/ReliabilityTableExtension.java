package io.cifarstream.reliability;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Injects the one {@link ReliabilityTable} of the test run; it lives in the root context's store and is published
 * when the run ends: to stdout, {@code target/reliability-table.md}, and the generated file the docs link to
 * ({@code docs/generated/reliability-table.md}, named by the system property {@value #DOCS_FILE}); the cluster's table
 * likewise to {@code target/cluster-table.md} and {@code docs/generated/cluster-table.md} ({@value #CLUSTER_DOCS_FILE}).
 */
public final class ReliabilityTableExtension implements ParameterResolver {

    /** The system property naming the docs' copy of the table; unset, only target/ gets one. */
    static final String DOCS_FILE = "reliability.table.docs";
    /** The system property naming the docs' copy of the cluster's table; unset, only target/ gets one. */
    static final String CLUSTER_DOCS_FILE = "reliability.cluster-table.docs";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ReliabilityTableExtension.class);

    /** Keeps the table in the root store; JUnit closes it, i.e. publishes it, after the last test. */
    private record Published(ReliabilityTable table) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            table.publish(files("reliability-table.md", DOCS_FILE), files("cluster-table.md", CLUSTER_DOCS_FILE));
        }
    }

    /** {@code target/NAME}, and the docs' copy the system property {@code docsProperty} names, if any. */
    private static List<Path> files(String name, String docsProperty) {
        List<Path> files = new ArrayList<>(List.of(Path.of("target", name)));
        String docs = System.getProperty(docsProperty);
        if (docs != null && !docs.isBlank()) {
            files.add(Path.of(docs));
        }
        return files;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ReliabilityTable.class;
    }

    @Override
    public ReliabilityTable resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return extensionContext.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Published.class, key -> new Published(new ReliabilityTable()), Published.class)
                .table();
    }
}

package io.cifarstream.reliability;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Path;

/**
 * Injects the one {@link ReliabilityTable} of the test run; it lives in the root context's store and is published
 * to {@code target/reliability-table.md} (and stdout) when the run ends.
 */
public final class ReliabilityTableExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ReliabilityTableExtension.class);

    /** Keeps the table in the root store; JUnit closes it, i.e. publishes it, after the last test. */
    private record Published(ReliabilityTable table) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            table.publish(Path.of("target", "reliability-table.md"));
        }
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

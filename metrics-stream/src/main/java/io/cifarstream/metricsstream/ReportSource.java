package io.cifarstream.metricsstream;

import io.cifarstream.schemas.MetricsView;

import java.util.List;
import java.util.Optional;

/**
 * Where the HTTP API reads the latest reports: the {@link MetricsTopology#REPORTS_STORE} of this instance
 * ({@link StreamsReportSource}) or of every instance of the application ({@link RoutingReportSource}).
 */
public interface ReportSource {

    /** Model ids with at least one report, sorted. @throws ReportsUnavailableException while the store is not queryable */
    List<String> models();

    /** The latest report of a (model, view) as {@link ViewReport} JSON. @throws ReportsUnavailableException likewise */
    Optional<String> report(String modelId, MetricsView view);

    /**
     * The same reports read from standby replicas too (Kafka Streams' {@code num.standby.replicas}): what this instance
     * can serve for a model whose owner does not answer. A source without replicas returns itself.
     */
    default ReportSource withStandbys() {
        return this;
    }

    /**
     * The reports cannot be read now (the application is starting or rebalancing, or an instance is unreachable); retry
     * shortly. Open for the routing's own kind, an instance that does not answer at all.
     */
    class ReportsUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ReportsUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package io.cifarstream.metricsstream;

import io.cifarstream.schemas.MetricsView;

import java.util.List;
import java.util.Optional;

/** Where the HTTP API reads the latest reports: the {@link MetricsTopology#REPORTS_STORE} of a running app. */
public interface ReportSource {

    /** Model ids with at least one report, sorted. @throws ReportsUnavailableException while the store is not queryable */
    List<String> models();

    /** The latest report of a (model, view) as {@link ViewReport} JSON. @throws ReportsUnavailableException likewise */
    Optional<String> report(String modelId, MetricsView view);

    /** The store cannot answer now (the application is starting or rebalancing); retry shortly. */
    final class ReportsUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ReportsUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package io.cifarstream.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The suite's table of figures: one {@link Row} per experiment (a fault injected or a kind of bad input tried),
 * printed as Markdown when the test run ends and written to {@code target/reliability-table.md} (the README and the
 * closing note quote it). The experiments on the replicated three-node cluster have their own table, one
 * {@link ClusterRow} per run with its recovery times, and their measurements (throughput, CPU, failover times) as
 * {@link Measurement}s, written to {@code target/cluster-table.md}. Tests receive it as a parameter through
 * {@link ReliabilityTableExtension}.
 */
public final class ReliabilityTable {

    /**
     * One experiment: what was done, how often, and what came of it. {@code recordsIn} counts the distinct records
     * offered; {@code recordsOut} the distinct ones committed downstream (predictions, counted records or dead
     * letters, as {@code outcome} says); a duplicate is an id committed more than once, a loss an id offered and
     * never committed; a crash is a process that died when it should not have.
     */
    public record Row(String component, String experiment, int injected, long recordsIn, long recordsOut,
            long duplicates, long losses, int crashes, String outcome) {
    }

    /**
     * One run on the three-node cluster: the fault, what went in and came out (records in: distinct records offered;
     * out: distinct ids committed, or counted; duplicates and losses as in {@link Row}), what the metrics stream counted
     * and how its confusion matrix compares, and how long the pipeline took to recover (from the fault to the first
     * committed prediction again, and to the metrics counting again).
     */
    public record ClusterRow(String fault, int injected, long recordsIn, long recordsOut, long duplicates, long losses,
            String metrics, String recovery, String outcome) {
    }

    /** A measured figure of the cluster experiments, with what it was measured on. */
    public record Measurement(String experiment, String figures) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<ClusterRow> clusterRows = new ArrayList<>();
    private final List<Measurement> measurements = new ArrayList<>();

    /** Adds a row; thread-safe (test classes may run their rows from several threads). */
    public synchronized void record(Row row) {
        rows.add(row);
    }

    /** Adds a run on the cluster; thread-safe. */
    public synchronized void record(ClusterRow row) {
        clusterRows.add(row);
    }

    /** Adds a measurement of the cluster experiments; thread-safe. */
    public synchronized void record(Measurement measurement) {
        measurements.add(measurement);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The cluster runs as a Markdown table and the measurements as a list, in the order recorded. */
    public synchronized String clusterMarkdown() {
        StringBuilder out = new StringBuilder();
        out.append("| fault | injected | records in | records out | duplicates | losses | metrics stream | recovery"
                + " | outcome |\n");
        out.append("|---|---:|---:|---:|---:|---:|---|---|---|\n");
        for (ClusterRow row : clusterRows) {
            out.append("| ").append(row.fault()).append(" | ").append(row.injected()).append(" | ").append(row.recordsIn())
                    .append(" | ").append(row.recordsOut()).append(" | ").append(row.duplicates()).append(" | ")
                    .append(row.losses()).append(" | ").append(row.metrics()).append(" | ").append(row.recovery())
                    .append(" | ").append(row.outcome()).append(" |\n");
        }
        if (!measurements.isEmpty()) {
            out.append("\n## Measured\n\n");
            measurements.forEach(m -> out.append("- **").append(m.experiment()).append("**: ").append(m.figures())
                    .append('\n'));
        }
        return out.toString();
    }

    /** The rows as a Markdown table, in the order recorded. */
    public synchronized String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| component | experiment | injected | records in | records out | duplicates | losses | crashes | outcome |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            out.append("| ").append(row.component()).append(" | ").append(row.experiment()).append(" | ")
                    .append(row.injected()).append(" | ").append(row.recordsIn()).append(" | ").append(row.recordsOut())
                    .append(" | ").append(row.duplicates()).append(" | ").append(row.losses()).append(" | ")
                    .append(row.crashes()).append(" | ").append(row.outcome()).append(" |\n");
        }
        return out.toString();
    }

    /**
     * Prints the tables and writes each, under a line saying where it comes from: the suite's to each of {@code files},
     * the cluster's to each of {@code clusterFiles}. A table without rows is left as it was.
     */
    void publish(List<Path> files, List<Path> clusterFiles) {
        if (!rows().isEmpty()) {
            write("Reliability suite: what went in and what came out", markdown(), files);
        }
        boolean clusterRun;
        synchronized (this) {
            clusterRun = !clusterRows.isEmpty() || !measurements.isEmpty();
        }
        if (clusterRun) {
            write("The replicated three-node cluster: faults and scale-out", clusterScope() + clusterMarkdown(),
                    clusterFiles);
        }
    }

    /** Which of the cluster's runs this table holds: the default ones, or the whole matrix of the Maven profile. */
    private static String clusterScope() {
        boolean matrix = !ClusterMatrix.TAG.equals(System.getProperty(ClusterMatrix.EXCLUDED_PROPERTY, ClusterMatrix.TAG));
        return matrix ? "This run: the whole matrix (`-P cluster-matrix`).\n\n"
                : "This run: the default cluster runs; `-P cluster-matrix` adds the rest of the matrix.\n\n";
    }

    private static void write(String title, String table, List<Path> files) {
        System.out.println("\n" + title + "\n" + table);
        String document = "# " + title + "\n\nGenerated by the tests of the `reliability`"
                + " module (`mvn -B verify`) on every run; do not edit.\n\n" + table;
        for (Path file : files) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.writeString(file, document);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the reliability table to " + file, e);
            }
        }
    }
}

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
 * closing note quote it). Tests receive it as a parameter through {@link ReliabilityTableExtension}.
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

    private final List<Row> rows = new ArrayList<>();

    /** Adds a row; thread-safe (test classes may run their rows from several threads). */
    public synchronized void record(Row row) {
        rows.add(row);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
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

    /** Prints the table and writes it to {@code file}. */
    void publish(Path file) {
        if (rows().isEmpty()) {
            return;
        }
        String table = markdown();
        System.out.println("\nReliability suite: what went in and what came out\n" + table);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, table);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the reliability table to " + file, e);
        }
    }
}

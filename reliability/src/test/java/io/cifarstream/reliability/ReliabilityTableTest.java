package io.cifarstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The table prints one Markdown row per experiment, in the order recorded, every figure in its column. */
class ReliabilityTableTest {

    @Test
    void printsOneMarkdownRowPerExperimentInOrder() {
        ReliabilityTable table = new ReliabilityTable();
        table.record(new ReliabilityTable.Row("scorer", "SIGKILL during replay", 3, 10_000, 10_000, 0, 0, 0, "exactly once"));
        table.record(new ReliabilityTable.Row("metrics", "truncated Avro", 5, 5, 5, 0, 0, 0, "dead letter CORRUPT"));

        String[] lines = table.markdown().split("\n");

        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("| component | experiment | injected |");
        assertThat(lines[2]).isEqualTo("| scorer | SIGKILL during replay | 3 | 10000 | 10000 | 0 | 0 | 0 | exactly once |");
        assertThat(lines[3]).isEqualTo("| metrics | truncated Avro | 5 | 5 | 5 | 0 | 0 | 0 | dead letter CORRUPT |");
    }

    @Test
    void printsOneRowPerClusterRunAndTheMeasurementsBelow() {
        ReliabilityTable table = new ReliabilityTable();
        table.record(new ReliabilityTable.ClusterRow("active controller SIGKILL", 1, 10_000, 10_000, 0, 0,
                "10000 counted, confusion matrix = undisturbed run's", "predictions 2.1 s, metrics 3.0 s", "exactly once"));
        table.record(new ReliabilityTable.Measurement("scorers", "1: 900 images/s"));

        String[] lines = table.clusterMarkdown().split("\n");

        assertThat(lines[0]).startsWith("| fault | injected | records in | records out |");
        assertThat(lines[2]).isEqualTo("| active controller SIGKILL | 1 | 10000 | 10000 | 0 | 0 | 10000 counted,"
                + " confusion matrix = undisturbed run's | predictions 2.1 s, metrics 3.0 s | exactly once |");
        assertThat(lines[4]).isEqualTo("## Measured");
        assertThat(lines[6]).isEqualTo("- **scorers**: 1: 900 images/s");
    }
}

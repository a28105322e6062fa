package io.cifarstream.trainer;

import java.util.List;

/** The trainable parameters of a network as the seed printed them: name, shape, count, and the total. */
public record ParameterTable(List<Row> rows) {

    public ParameterTable {
        rows = List.copyOf(rows);
    }

    static ParameterTable of(List<CifarNet.NamedParameter> parameters) {
        return new ParameterTable(parameters.stream().map(p -> new Row(p.name(), p.shape(), p.count())).toList());
    }

    public long total() {
        return rows.stream().mapToLong(Row::count).sum();
    }

    /** A fixed-width text table ending with the total, for the console. */
    public String format() {
        StringBuilder out = new StringBuilder();
        String rule = "+--------------+------------------+------------+\n";
        out.append(rule).append(String.format("| %-12s | %-16s | %10s |%n", "Modules", "Shape", "Parameters")).append(rule);
        for (Row row : rows) {
            out.append(String.format("| %-12s | %-16s | %10d |%n", row.name(), row.shapeText(), row.count()));
        }
        out.append(rule).append(String.format("Total Trainable Params: %,d%n", total()));
        return out.toString();
    }

    /** One parameter array. */
    public record Row(String name, long[] shape, long count) {
        public String shapeText() {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                text.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return text.append(']').toString();
        }
    }
}

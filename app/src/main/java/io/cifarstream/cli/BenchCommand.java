package io.cifarstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cifar-stream bench}: the benchmarks, each printing its figures as JSON (and writing them to {@code --json},
 * the file docs/benchmarks keeps beside the figures it quotes).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput, latency and estimate errors, printing JSON: `bench scorer`, "
                + "`bench quantized`, `bench metrics`, `bench train`, `bench estimates`, `bench drift`",
        subcommands = {BenchScorerCommand.class, BenchQuantizedCommand.class, BenchMetricsCommand.class,
            BenchTrainCommand.class, BenchEstimatesCommand.class, BenchDriftCommand.class})
public final class BenchCommand {

    /** The {@code --json} flag of every benchmark. */
    static final class JsonFlag {
        @PathRule(PathRule.Kind.WRITABLE_FILE)
        @Option(names = "--json", paramLabel = "FILE",
                description = "Also write the JSON to this file (e.g. docs/benchmarks/NAME.json).")
        Path json;

        /** Prints {@code figures} as indented JSON and writes them to {@code --json} if given. */
        void publish(JsonNode figures) throws IOException {
            publish(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        }

        /** Prints {@code figures} and writes them to {@code --json} if given. */
        void publish(String figures) throws IOException {
            System.out.println(figures);
            if (json != null) {
                Path parent = json.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.writeString(json, figures + System.lineSeparator());
                System.err.println("bench: figures written to " + json.toAbsolutePath());
            }
        }
    }
}

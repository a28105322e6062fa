package io.cifarstream.bench;

import io.cifarstream.trainer.Processor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;

/**
 * {@code cifar-stream bench quantized}: raw ONNX Runtime throughput of an fp32 model and its int8 model, interleaved
 * in one process at batch 1, 32 and 256, so that both see the same machine: each round measures every batch size for
 * both models, the order of the two alternating between rounds. Reports per batch size each model's median
 * images/s and the median of the rounds' int8/fp32 ratios, with every round's figures and the load average before and
 * after (on a shared machine, read the ratios, not the absolute figures).
 */
public final class QuantizedBenchmark {
    static final int[] BATCHES = {1, 32, 256};

    private QuantizedBenchmark() {
    }

    public static ObjectNode run(Path fp32, Path int8, ModelOptions options, CifarImages images, int rounds,
                                 Duration perMeasurement) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode result = mapper.createObjectNode();
        result.put("fp32_model", fp32.toString());
        result.put("int8_model", int8.toString());
        Processor.current().describeIn(result);
        result.put("lanes", options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors());
        result.put("rounds", rounds);
        result.put("seconds_per_measurement", perMeasurement.toMillis() / 1000.0);
        loadAverage().forEach(result.putArray("load_average_before")::add);
        double[][][] figures = new double[BATCHES.length][2][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int b = 0; b < BATCHES.length; b++) {
                for (int turn = 0; turn < 2; turn++) {
                    int model = (round + turn) % 2; // 0 = fp32, 1 = int8; who goes first alternates
                    figures[b][model][round] = ScorerBenchmark.rawThroughput(model == 0 ? fp32 : int8, options,
                            images, BATCHES[b], perMeasurement);
                }
            }
        }
        loadAverage().forEach(result.putArray("load_average_after")::add);
        ObjectNode perBatch = result.putObject("images_per_second");
        for (int b = 0; b < BATCHES.length; b++) {
            ObjectNode batch = perBatch.putObject("batch_" + BATCHES[b]);
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                ratios[round] = figures[b][1][round] / figures[b][0][round];
            }
            batch.put("fp32_median", Math.round(median(figures[b][0])));
            batch.put("int8_median", Math.round(median(figures[b][1])));
            batch.put("int8_over_fp32_median", ScorerBenchmark.round3(median(ratios)));
            ArrayNode fp32Rounds = batch.putArray("fp32_rounds");
            ArrayNode int8Rounds = batch.putArray("int8_rounds");
            for (int round = 0; round < rounds; round++) {
                fp32Rounds.add(Math.round(figures[b][0][round]));
                int8Rounds.add(Math.round(figures[b][1][round]));
            }
        }
        return result;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The 1-, 5- and 15-minute load averages, or an empty list where /proc/loadavg is missing. */
    static List<Double> loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            List<Double> load = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                load.add(Double.parseDouble(fields[i]));
            }
            return load;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}

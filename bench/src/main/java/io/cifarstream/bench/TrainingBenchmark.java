package io.cifarstream.bench;

import io.cifarstream.trainer.Processor;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.trainer.NativeAllocator;
import io.cifarstream.trainer.Precision;
import io.cifarstream.trainer.Recipe;
import io.cifarstream.trainer.TrainingSteps;

/**
 * {@code cifar-stream bench train}: warm training steps of a recipe (forward, backward, SGD and augmentation, as a
 * training run takes them) timed after unreported warm-up steps, with what they cost the process: CPU seconds split
 * into user and kernel time, minor page faults per image, resident memory after the warm-up, at the end and at its
 * peak, and which malloc served libtorch (the figures depend on it: {@link NativeAllocator}). JSON.
 */
public final class TrainingBenchmark {
    /** Multiply-adds of one training step per image (forward, and backward at twice the forward), as FLOPs. */
    static final double FLOP_PER_IMAGE_STEP = 3 * 37.7e6;

    private TrainingBenchmark() {
    }

    /**
     * Takes {@code warmupSteps} unreported steps of {@code recipe} in {@code precision} on {@code train}, then
     * {@code steps} timed ones with {@code threads} libtorch threads; returns the figures.
     */
    public static ObjectNode run(Recipe recipe, Precision precision, CifarImages train, int threads, int warmupSteps,
                                 int steps) {
        ObjectNode result = new ObjectMapper().createObjectNode();
        result.put("recipe", recipe.name());
        result.put("batch_size", recipe.batchSize());
        result.put("precision", precision.label());
        result.put("threads", threads);
        Processor.current().describeIn(result);
        result.put("allocator", NativeAllocator.inUse().label());
        result.put("omp_wait_policy", System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"));
        ProcessResources beforeStart = ProcessResources.now();
        try (TrainingSteps training = TrainingSteps.open(recipe, precision, train, 42, threads)) {
            training.run(warmupSteps);
            ProcessResources start = ProcessResources.now();
            long startNanos = System.nanoTime();
            double loss = training.run(steps);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            ProcessResources timed = ProcessResources.now().since(start);
            long images = (long) steps * recipe.batchSize();
            double perSecond = images / seconds;
            result.put("warmup_steps", warmupSteps);
            result.put("steps", steps);
            result.put("images", images);
            result.put("seconds", round(seconds, 3));
            result.put("images_per_second", Math.round(perSecond));
            result.put("gflop_per_second", round(perSecond * FLOP_PER_IMAGE_STEP / 1e9, 1));
            result.put("mean_loss", round(loss, 4));
            ObjectNode cpu = result.putObject("cpu_seconds");
            cpu.put("user", round(timed.userSeconds(), 2));
            cpu.put("kernel", round(timed.systemSeconds(), 2));
            cpu.put("per_image_ms", round((timed.userSeconds() + timed.systemSeconds()) * 1000 / images, 3));
            result.put("minor_faults_per_image", round((double) timed.minorFaults() / images, 2));
            ObjectNode memory = result.putObject("resident_mib");
            memory.put("before_training", beforeStart.residentBytes() >> 20);
            memory.put("after_warmup", start.residentBytes() >> 20);
            memory.put("end", timed.residentBytes() >> 20);
            memory.put("peak", timed.peakResidentBytes() >> 20);
        }
        return result;
    }

    private static double round(double value, int decimals) {
        return Double.parseDouble(String.format(Locale.ROOT, "%." + decimals + "f", value));
    }
}

package io.cifarstream.cli;

import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cifarstream.quantization.CalibrationMethod;
import io.cifarstream.quantization.QuantizationConfig;
import io.cifarstream.quantization.QuantizationResult;
import picocli.CommandLine.Option;

/**
 * The flags of every command that makes an int8 model ({@code quantize}, {@code train --export int8}). Unset, they
 * take {@link QuantizationConfig#defaults()}; {@code train} refuses them without {@code --export int8}.
 */
public final class QuantizationFlags {
    @OneOf({"minmax", "percentile", "entropy"})
    @Option(names = "--calibration", paramLabel = "minmax|percentile|entropy",
            description = "How activation ranges are chosen from the calibration images: minmax (nothing clipped), "
                    + "percentile (the 99.999th percentile of |x|) or entropy (least KL divergence). Default: "
                    + "percentile.")
    String calibration;

    @Range(min = 1, max = 50_000)
    @Option(names = "--calibration-images", paramLabel = "N",
            description = "Training images to calibrate on, spread evenly over the training split. Default: 1000.")
    Integer calibrationImages;

    /** Whether any of these flags was given. */
    boolean given() {
        return calibration != null || calibrationImages != null;
    }

    QuantizationConfig toConfig() {
        QuantizationConfig config = QuantizationConfig.defaults();
        if (calibration != null) {
            config = config.withMethod(CalibrationMethod.parse(calibration));
        }
        if (calibrationImages != null) {
            config = config.withCalibrationImages(calibrationImages);
        }
        return config;
    }

    /** What {@code quantize --json} writes: the two models, how the int8 one was made, and its check. */
    static String toJson(Path fp32, QuantizationResult result) throws JsonProcessingException {
        var parity = result.parity();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("fp32_model", fp32.toString());
        node.put("int8_model", result.model().toString());
        node.put("int8_version", result.version());
        node.put("calibration", result.method().spelling());
        node.put("calibration_images", result.calibrationImages());
        node.put("int8_nodes", result.int8Nodes());
        node.put("compute_nodes", result.computeNodes());
        node.put("parity_images", parity.parityImages());
        node.put("argmax_agreement", parity.agreement());
        node.put("max_abs_log_prob_difference", parity.maxLogProbDifference());
        node.put("test_images", parity.testImages());
        node.put("fp32_accuracy", parity.fp32Accuracy());
        node.put("int8_accuracy", parity.int8Accuracy());
        node.put("accuracy_difference_points", 100 * (parity.int8Accuracy() - parity.fp32Accuracy()));
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node) + "\n";
    }

    /** The lines that report an int8 model. */
    static String describe(QuantizationResult result) {
        var parity = result.parity();
        return String.format(Locale.ROOT, """
                int8 model    %s (version %s)
                quantized     %d of %d Conv/Gemm, calibration %s on %d training images
                parity        %.1f%% of %d test images predict the fp32 class; max |log-prob difference| on it %.3g
                accuracy      fp32 %.2f%%, int8 %.2f%% (%d test images)
                """, result.model().toAbsolutePath(), result.version(), result.int8Nodes(), result.computeNodes(),
                result.method().spelling(), result.calibrationImages(), 100 * parity.agreement(),
                parity.parityImages(), parity.maxLogProbDifference(), 100 * parity.fp32Accuracy(),
                100 * parity.int8Accuracy(), parity.testImages());
    }
}

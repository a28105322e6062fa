package io.cifarstream.quantization;

import java.nio.file.Path;

/**
 * An int8 model and the checks it passed.
 *
 * @param model                 the int8 .onnx file
 * @param version               its cifarstream.version (a hash of its graph)
 * @param method                the calibration method
 * @param calibrationImages     training images calibration ran
 * @param int8Nodes             Conv/Gemm nodes made int8, of {@code computeNodes}
 * @param computeNodes          Conv/Gemm nodes in the model
 * @param parity                agreement with the fp32 model and both models' test accuracy
 */
public record QuantizationResult(Path model, String version, CalibrationMethod method, int calibrationImages,
                                 int int8Nodes, int computeNodes, ParityReport parity) {
}

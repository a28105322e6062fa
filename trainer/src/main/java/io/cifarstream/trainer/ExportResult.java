package io.cifarstream.trainer;

import java.nio.file.Path;

/**
 * An exported model and the parity check it passed.
 *
 * @param model                 the .onnx file
 * @param version               first 16 hex digits of SHA-256 over the weights (cifarstream.version)
 * @param parityImages          test images run through both DJL and ONNX Runtime
 * @param maxLogProbDifference  the largest |log-probability difference| between the two
 */
public record ExportResult(Path model, String version, int parityImages, double maxLogProbDifference) {
}

package io.cifarstream.quantization;

/**
 * How an int8 model decides compared with its fp32 model.
 *
 * @param parityImages          the first test images compared
 * @param agreement             share of them where both predict the same class, 0..1
 * @param maxLogProbDifference  the largest |log-probability difference| on the class the fp32 model predicts
 * @param testImages            test images both accuracies are measured on
 * @param fp32Accuracy          the fp32 model's accuracy on them, 0..1
 * @param int8Accuracy          the int8 model's, 0..1
 */
public record ParityReport(int parityImages, double agreement, double maxLogProbDifference, int testImages,
                           double fp32Accuracy, double int8Accuracy) {
}

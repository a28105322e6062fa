package io.cifarstream.quantization;

/**
 * How to quantize.
 *
 * @param method            how activation ranges are chosen from what calibration saw
 * @param calibrationImages training images calibration runs, spread evenly over the training split
 * @param parityImages      test images on which the int8 model must decide like the fp32 model
 * @param minAgreement      the share of those images whose predicted class must be the same, 0..1
 */
public record QuantizationConfig(CalibrationMethod method, int calibrationImages, int parityImages,
                                 double minAgreement) {
    public static final int CALIBRATION_IMAGES = 1000;
    public static final int PARITY_IMAGES = 1000;
    public static final double MIN_AGREEMENT = 0.985;

    public QuantizationConfig {
        if (calibrationImages < 1 || parityImages < 1 || !(minAgreement >= 0 && minAgreement <= 1)) {
            throw new IllegalArgumentException("calibrationImages and parityImages must be >= 1 and minAgreement "
                    + "0..1, got " + calibrationImages + ", " + parityImages + ", " + minAgreement);
        }
    }

    /** Percentile calibration on 1,000 training images, every Conv and Gemm in int8, 98.5% agreement on 1,000. */
    public static QuantizationConfig defaults() {
        return new QuantizationConfig(CalibrationMethod.PERCENTILE, CALIBRATION_IMAGES, PARITY_IMAGES, MIN_AGREEMENT);
    }

    public QuantizationConfig withMethod(CalibrationMethod value) {
        return new QuantizationConfig(value, calibrationImages, parityImages, minAgreement);
    }

    public QuantizationConfig withCalibrationImages(int value) {
        return new QuantizationConfig(method, value, parityImages, minAgreement);
    }

    public QuantizationConfig withMinAgreement(double value) {
        return new QuantizationConfig(method, calibrationImages, parityImages, value);
    }
}

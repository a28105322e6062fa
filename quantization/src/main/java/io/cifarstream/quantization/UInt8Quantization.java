package io.cifarstream.quantization;

/**
 * Asymmetric uint8 quantization of an activation: real = (q - zeroPoint) * scale, q in 0..255, with the range
 * widened to hold 0 so that zero (ReLU's floor, padding) is exact.
 */
record UInt8Quantization(float scale, int zeroPoint) {

    static UInt8Quantization of(TensorRange range) {
        float lo = Math.min(range.min(), 0f);
        float hi = Math.max(range.max(), 0f);
        if (!(hi > lo)) {
            return new UInt8Quantization(1f, 0);
        }
        float scale = (hi - lo) / 255f;
        int zeroPoint = (int) Math.rint(-lo / scale);
        return new UInt8Quantization(scale, Math.max(0, Math.min(255, zeroPoint)));
    }
}

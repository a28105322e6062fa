package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;

/**
 * Brightness and saturation as make_cifar_c.py changes them: each pixel to HSV with {@code skimage.color.rgb2hsv}, S
 * to clip(S * scale + shift, 0, 1) and V to clip(V + lift, 0, 1), back with {@code hsv2rgb}, then clipped and cut to
 * bytes. The conversions follow skimage 0.19 operation by operation (ties for the largest channel go to blue, then
 * green; hue wraps with Python's modulo), so the doubles, and the bytes, come out the same.
 */
final class HsvAdjustment {
    private static final int PLANE = CifarShape.PLANE;

    private final double saturationScale;
    private final double saturationShift;
    private final double valueLift;

    HsvAdjustment(double saturationScale, double saturationShift, double valueLift) {
        this.saturationScale = saturationScale;
        this.saturationShift = saturationShift;
        this.valueLift = valueLift;
    }

    /** The benchmark's brightness: V raised by {@code lift}. */
    static HsvAdjustment brightness(double lift) {
        return new HsvAdjustment(1.0, 0.0, lift);
    }

    /** The benchmark's saturate: S times {@code scale} plus {@code shift}. */
    static HsvAdjustment saturate(double scale, double shift) {
        return new HsvAdjustment(scale, shift, 0.0);
    }

    /** Adjusts the CHW image at {@code in[inOffset]} into {@code out[outOffset]} (which may be the same place). */
    void apply(byte[] in, int inOffset, byte[] out, int outOffset) {
        for (int p = 0; p < PLANE; p++) {
            double r = (in[inOffset + p] & 0xff) / 255.0;
            double g = (in[inOffset + PLANE + p] & 0xff) / 255.0;
            double b = (in[inOffset + 2 * PLANE + p] & 0xff) / 255.0;
            // rgb2hsv
            double v = Math.max(r, Math.max(g, b));
            double delta = v - Math.min(r, Math.min(g, b));
            double s = delta == 0.0 ? 0.0 : delta / v;
            double h;
            if (delta == 0.0) {
                h = 0.0;
            } else {
                double sextant;
                if (b == v) {
                    sextant = 4.0 + (r - g) / delta;
                } else if (g == v) {
                    sextant = 2.0 + (b - r) / delta;
                } else {
                    sextant = (g - b) / delta;
                }
                h = pythonModuloOne(sextant / 6.0);
            }
            s = clip01(s * saturationScale + saturationShift);
            v = clip01(v + valueLift);
            // hsv2rgb
            double hi = Math.floor(h * 6);
            double f = h * 6 - hi;
            double lo = v * (1 - s);
            double falling = v * (1 - f * s);
            double rising = v * (1 - (1 - f) * s);
            switch (((int) hi) % 6) {
                case 0 -> write(out, outOffset, p, v, rising, lo);
                case 1 -> write(out, outOffset, p, falling, v, lo);
                case 2 -> write(out, outOffset, p, lo, v, rising);
                case 3 -> write(out, outOffset, p, lo, falling, v);
                case 4 -> write(out, outOffset, p, rising, lo, v);
                default -> write(out, outOffset, p, v, lo, falling);
            }
        }
    }

    private static void write(byte[] out, int offset, int p, double r, double g, double b) {
        out[offset + p] = ImageCorrupter.toByte(r);
        out[offset + PLANE + p] = ImageCorrupter.toByte(g);
        out[offset + 2 * PLANE + p] = ImageCorrupter.toByte(b);
    }

    private static double clip01(double x) {
        return x < 0 ? 0 : x > 1 ? 1 : x;
    }

    /** numpy's float {@code x % 1.0}: the result takes the divisor's sign, so -0.25 is 0.75. */
    private static double pythonModuloOne(double x) {
        double m = x % 1.0;
        if (m < 0) {
            m += 1.0;
        }
        return m == 0.0 ? 0.0 : m;
    }
}

package io.cifarstream.dataset;

/**
 * The defocus blur of make_cifar_c.py: {@code disk(radius, alias_blur)} (a 17x17 float32 disk of ones where
 * x² + y² <= radius², normalised to sum 1, then anti-aliased by {@code cv2.GaussianBlur} with a 3x3 kernel of that
 * sigma), correlated with each channel as {@code cv2.filter2D} does. Both OpenCV calls use OpenCV's default border,
 * BORDER_REFLECT_101 (…c b | a b c … x y | x w…). Only the non-zero centre of the kernel is kept: at CIFAR's
 * radii (at most 1.5) it is at most 5x5.
 */
final class DefocusKernel {
    private static final int HALF = 8;
    private static final int FULL = 2 * HALF + 1;

    /** Taps either side of the centre. */
    private final int reach;
    /** (2 * reach + 1)² weights, row by row. */
    private final double[] weights;

    DefocusKernel(double radius, double aliasBlur) {
        if (radius > HALF) {
            throw new IllegalArgumentException("the CIFAR disk is 17x17; radius " + radius + " needs a larger one");
        }
        float[] disk = new float[FULL * FULL];
        int ones = 0;
        for (int y = -HALF; y <= HALF; y++) {
            for (int x = -HALF; x <= HALF; x++) {
                if (x * x + y * y <= radius * radius) {
                    disk[(y + HALF) * FULL + x + HALF] = 1f;
                    ones++;
                }
            }
        }
        for (int i = 0; i < disk.length; i++) {
            disk[i] /= ones;
        }
        float[] gauss = gaussian3(aliasBlur);
        float[] blurred = separablePass(separablePass(disk, gauss, true), gauss, false);
        int reach = 0;
        for (int y = 0; y < FULL; y++) {
            for (int x = 0; x < FULL; x++) {
                if (blurred[y * FULL + x] != 0f) {
                    reach = Math.max(reach, Math.max(Math.abs(y - HALF), Math.abs(x - HALF)));
                }
            }
        }
        this.reach = reach;
        int side = 2 * reach + 1;
        this.weights = new double[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                weights[y * side + x] = blurred[(y - reach + HALF) * FULL + x - reach + HALF];
            }
        }
    }

    /** cv2.getGaussianKernel(3, sigma, CV_32F): exp(-x² / (2 sigma²)) in double, times 1 / sum, stored as float. */
    private static float[] gaussian3(double sigma) {
        double scale2X = -0.5 / (sigma * sigma);
        double[] t = new double[3];
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            double x = i - 1;
            t[i] = Math.exp(scale2X * x * x);
            sum += t[i];
        }
        double inverse = 1.0 / sum;
        return new float[] {(float) (t[0] * inverse), (float) (t[1] * inverse), (float) (t[2] * inverse)};
    }

    /** One pass of the separable 3-tap float32 filter over the 17x17 plane, along rows or along columns. */
    private static float[] separablePass(float[] plane, float[] taps, boolean alongRows) {
        float[] out = new float[plane.length];
        for (int y = 0; y < FULL; y++) {
            for (int x = 0; x < FULL; x++) {
                double sum = 0;
                for (int t = -1; t <= 1; t++) {
                    int value = alongRows ? y * FULL + reflect101(x + t, FULL) : reflect101(y + t, FULL) * FULL + x;
                    sum += (double) taps[t + 1] * plane[value];
                }
                out[y * FULL + x] = (float) sum;
            }
        }
        return out;
    }

    /**
     * Correlates the {@code side}² plane of values in 0..1 at {@code in[offset]} with the kernel into
     * {@code out[offset]}.
     */
    void apply(double[] in, double[] out, int offset, int side) {
        int width = 2 * reach + 1;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double sum = 0;
                for (int dy = -reach; dy <= reach; dy++) {
                    int row = offset + reflect101(y + dy, side) * side;
                    int w = (dy + reach) * width + reach;
                    for (int dx = -reach; dx <= reach; dx++) {
                        sum += weights[w + dx] * in[row + reflect101(x + dx, side)];
                    }
                }
                out[offset + y * side + x] = sum;
            }
        }
    }

    /** OpenCV's BORDER_REFLECT_101 (scipy's "mirror"): -1 is 1, n is n - 2; valid for reaches below n. */
    private static int reflect101(int i, int n) {
        if (i < 0) {
            return -i;
        }
        return i >= n ? 2 * n - 2 - i : i;
    }
}

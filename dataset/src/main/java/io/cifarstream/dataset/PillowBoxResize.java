package io.cifarstream.dataset;

/**
 * Pillow's {@code Image.resize(size, Image.BOX)} of one square 8-bit plane, reproduced bit for bit (Pillow's
 * src/libImaging/Resample.c, unchanged from Pillow 7 to 10): each output pixel averages the input pixels whose
 * centres fall in its box, with weights computed in double, normalised, then applied in 22-bit fixed point with
 * rounding; the horizontal pass runs first and is rounded to bytes before the vertical one.
 *
 * <p>Keeps its intermediate rows: one instance per thread.
 */
final class PillowBoxResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private final int inSide;
    private final int outSide;
    private final int taps;
    /** Per output index: the first input index it reads. */
    private final int[] first;
    /** Per output index: how many input indices it reads. */
    private final int[] count;
    /** Per output index, {@link #taps} fixed-point weights. */
    private final int[] weights;
    /** The horizontal pass: {@code inSide} rows of {@code outSide} bytes. */
    private final int[] rows;

    PillowBoxResize(int inSide, int outSide) {
        if (inSide < 1 || outSide < 1) {
            throw new IllegalArgumentException("sides must be positive: " + inSide + " -> " + outSide);
        }
        this.inSide = inSide;
        this.outSide = outSide;
        double scale = (double) inSide / outSide;
        double filterScale = Math.max(scale, 1.0);
        double support = 0.5 * filterScale;
        this.taps = (int) Math.ceil(support) * 2 + 1;
        this.first = new int[outSide];
        this.count = new int[outSide];
        this.weights = new int[outSide * taps];
        this.rows = new int[inSide * outSide];
        double[] k = new double[taps];
        double inverseScale = 1.0 / filterScale;
        for (int out = 0; out < outSide; out++) {
            double center = (out + 0.5) * scale;
            int min = Math.max(0, (int) (center - support + 0.5));
            int max = Math.min(inSide, (int) (center + support + 0.5)) - min;
            double sum = 0;
            for (int x = 0; x < max; x++) {
                k[x] = box((x + min - center + 0.5) * inverseScale);
                sum += k[x];
            }
            for (int x = 0; x < max; x++) {
                double normalised = sum != 0.0 ? k[x] / sum : k[x];
                weights[out * taps + x] = (int) (0.5 + normalised * (1 << PRECISION_BITS));
            }
            first[out] = min;
            count[out] = max;
        }
    }

    /** Pillow's box filter: 1 on (-0.5, 0.5]. */
    private static double box(double x) {
        return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
    }

    /** Resizes the {@code inSide}² plane at {@code in[inOffset]} into the {@code outSide}² one at {@code out[outOffset]}. */
    void resize(byte[] in, int inOffset, byte[] out, int outOffset) {
        for (int y = 0; y < inSide; y++) {
            int row = inOffset + y * inSide;
            for (int x = 0; x < outSide; x++) {
                int sum = 1 << (PRECISION_BITS - 1);
                int from = row + first[x];
                for (int t = 0, n = count[x], w = x * taps; t < n; t++) {
                    sum += (in[from + t] & 0xff) * weights[w + t];
                }
                rows[y * outSide + x] = clip8(sum);
            }
        }
        for (int y = 0; y < outSide; y++) {
            int w = y * taps;
            for (int x = 0; x < outSide; x++) {
                int sum = 1 << (PRECISION_BITS - 1);
                for (int t = 0, n = count[y]; t < n; t++) {
                    sum += rows[(first[y] + t) * outSide + x] * weights[w + t];
                }
                out[outOffset + y * outSide + x] = (byte) clip8(sum);
            }
        }
    }

    private static int clip8(int fixedPoint) {
        return Math.max(0, Math.min(255, fixedPoint >> PRECISION_BITS));
    }
}

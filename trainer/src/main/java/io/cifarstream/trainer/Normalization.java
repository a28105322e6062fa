package io.cifarstream.trainer;

/**
 * Per-channel input normalization, (x/255 - mean[c]) / std[c], computed as x * scale[c] + shift[c] in float32 —
 * the same two operations the exported ONNX graph performs, so DJL and ONNX Runtime see the same inputs.
 */
public record Normalization(float[] mean, float[] std) {

    /** The seed's: mean 0.5, std 0.5 for every channel. */
    public static Normalization half() {
        return new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    /** What {@code kind} asks for: the seed's fixed one, or one measured on the first {@code count} images. */
    public static Normalization of(Recipe.NormalizationKind kind, byte[] pixels, int count) {
        return kind == Recipe.NormalizationKind.HALF ? half() : measure(pixels, count);
    }

    /** Each channel's mean and standard deviation (of x/255) over the first {@code count} images. */
    public static Normalization measure(byte[] pixels, int count) {
        float[] mean = new float[3];
        float[] std = new float[3];
        int plane = 32 * 32;
        for (int c = 0; c < 3; c++) {
            long[] histogram = new long[256];
            for (int i = 0; i < count; i++) {
                int from = i * 3 * plane + c * plane;
                for (int p = from; p < from + plane; p++) {
                    histogram[pixels[p] & 0xff]++;
                }
            }
            double n = (double) count * plane;
            double sum = 0;
            double squares = 0;
            for (int v = 0; v < 256; v++) {
                double x = v / 255.0;
                sum += histogram[v] * x;
                squares += histogram[v] * x * x;
            }
            double m = sum / n;
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(1e-12, squares / n - m * m));
        }
        return new Normalization(mean, std);
    }

    public Normalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("need 3 means and 3 standard deviations");
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Multiplier of raw 0-255 pixels of channel {@code c}. */
    public float scale(int c) {
        return (float) (1.0 / (255.0 * std[c]));
    }

    /** Offset added after scaling, channel {@code c}. */
    public float shift(int c) {
        return (float) (-mean[c] / std[c]);
    }

    /** lookup[c][v]: the normalized value of raw byte value v in channel c. */
    float[][] lookupTable() {
        float[][] table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            float scale = scale(c);
            float shift = shift(c);
            for (int v = 0; v < 256; v++) {
                table[c][v] = v * scale + shift;
            }
        }
        return table;
    }
}

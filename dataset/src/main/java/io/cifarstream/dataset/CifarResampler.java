package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;

/**
 * Turns any decoded image into CIFAR's 32x32 RGB in CHW order. Each axis is resampled on its own: by area averaging
 * where the source is larger (every source pixel counts, in proportion to how much of the target pixel it covers),
 * bilinearly where it is smaller (pixel centres aligned, edges clamped), and copied where it is 32 already, so a
 * 32x32 image passes through exactly. Grayscale is replicated into R, G and B; alpha is dropped (as PIL's
 * {@code convert("RGB")} does); palettes are looked up.
 *
 * <p>Reuses its row buffers between images: one instance per thread.
 */
final class CifarResampler {
    private static final int SIDE = CifarShape.SIDE;
    private static final int PLANE = SIDE * SIDE;

    private int[] samples = new int[0];
    private int[] rgbRow = new int[0];
    private final float[] resampledRow = new float[SIDE * 3];
    private final float[] accumulated = new float[SIDE * 3];

    /** Writes {@link CifarShape#PIXELS} bytes (R plane, G plane, B plane) at {@code target[offset]}. */
    void resample(BufferedImage image, byte[] target, int offset) {
        int width = image.getWidth();
        int height = image.getHeight();
        if (rgbRow.length < width * 3) {
            rgbRow = new int[width * 3];
        }
        Axis across = new Axis(width);
        Axis down = new Axis(height);
        for (int ty = 0; ty < SIDE; ty++) {
            Arrays.fill(accumulated, 0f);
            int first = down.first(ty);
            int last = down.last(ty);
            for (int y = first; y <= last; y++) {
                float wy = down.weight(ty, y);
                if (wy == 0f) {
                    continue;
                }
                readRgbRow(image, y, width);
                resampleRow(across);
                for (int i = 0; i < accumulated.length; i++) {
                    accumulated[i] += wy * resampledRow[i];
                }
            }
            for (int tx = 0; tx < SIDE; tx++) {
                for (int c = 0; c < 3; c++) {
                    int value = Math.round(accumulated[tx * 3 + c]);
                    target[offset + c * PLANE + ty * SIDE + tx] = (byte) Math.max(0, Math.min(255, value));
                }
            }
        }
    }

    private void resampleRow(Axis across) {
        for (int tx = 0; tx < SIDE; tx++) {
            float r = 0f;
            float g = 0f;
            float b = 0f;
            for (int x = across.first(tx), last = across.last(tx); x <= last; x++) {
                float wx = across.weight(tx, x);
                r += wx * rgbRow[x * 3];
                g += wx * rgbRow[x * 3 + 1];
                b += wx * rgbRow[x * 3 + 2];
            }
            resampledRow[tx * 3] = r;
            resampledRow[tx * 3 + 1] = g;
            resampledRow[tx * 3 + 2] = b;
        }
    }

    /** Fills {@link #rgbRow} with row {@code y} as 8-bit R, G, B per pixel. */
    private void readRgbRow(BufferedImage image, int y, int width) {
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        if (model instanceof IndexColorModel palette) {
            int[] indices = samplesFor(width);
            raster.getSamples(0, y, width, 1, 0, indices);
            for (int x = 0; x < width; x++) {
                int argb = palette.getRGB(indices[x]);
                rgbRow[x * 3] = (argb >> 16) & 0xff;
                rgbRow[x * 3 + 1] = (argb >> 8) & 0xff;
                rgbRow[x * 3 + 2] = argb & 0xff;
            }
        } else if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && model.getNumColorComponents() == 1
                && !model.isAlphaPremultiplied()) {
            // Raw gray levels, replicated: ColorModel.getRGB would treat Java's linear gray space as needing a
            // gamma curve and brighten every mid-tone (128 becomes about 186).
            int[] pixels = samplesFor(width * bands);
            raster.getPixels(0, y, width, 1, pixels);
            int max = (1 << model.getComponentSize(0)) - 1;
            for (int x = 0; x < width; x++) {
                int level = to8Bits(pixels[x * bands], max);
                rgbRow[x * 3] = level;
                rgbRow[x * 3 + 1] = level;
                rgbRow[x * 3 + 2] = level;
            }
        } else if (model.getColorSpace().isCS_sRGB() && model.getNumColorComponents() == 3
                && !model.isAlphaPremultiplied()) {
            int[] pixels = samplesFor(width * bands);
            raster.getPixels(0, y, width, 1, pixels);
            int maxR = (1 << model.getComponentSize(0)) - 1;
            int maxG = (1 << model.getComponentSize(1)) - 1;
            int maxB = (1 << model.getComponentSize(2)) - 1;
            for (int x = 0; x < width; x++) {
                rgbRow[x * 3] = to8Bits(pixels[x * bands], maxR);
                rgbRow[x * 3 + 1] = to8Bits(pixels[x * bands + 1], maxG);
                rgbRow[x * 3 + 2] = to8Bits(pixels[x * bands + 2], maxB);
            }
        } else {
            // Any other colour space (e.g. an embedded ICC profile): let Java convert to sRGB.
            int[] argb = samplesFor(width);
            image.getRGB(0, y, width, 1, argb, 0, width);
            for (int x = 0; x < width; x++) {
                rgbRow[x * 3] = (argb[x] >> 16) & 0xff;
                rgbRow[x * 3 + 1] = (argb[x] >> 8) & 0xff;
                rgbRow[x * 3 + 2] = argb[x] & 0xff;
            }
        }
    }

    private int[] samplesFor(int length) {
        if (samples.length < length) {
            samples = new int[length];
        }
        return samples;
    }

    private static int to8Bits(int value, int max) {
        return max == 255 ? value : (value * 255 + max / 2) / max;
    }

    /**
     * How the source pixels of one axis (length {@code size}) make up each of the 32 target pixels, computed on the
     * fly so that no table grows with the source.
     */
    private static final class Axis {
        private final int size;
        /** Source pixels per target pixel. */
        private final double scale;

        Axis(int size) {
            this.size = size;
            this.scale = size / (double) SIDE;
        }

        int first(int t) {
            if (size > SIDE) {
                return (int) Math.floor(t * scale);
            }
            return size == SIDE ? t : (int) Math.floor(clampedCentre(t));
        }

        int last(int t) {
            if (size > SIDE) {
                return Math.min(size - 1, (int) Math.ceil((t + 1) * scale) - 1);
            }
            return size == SIDE ? t : Math.min(size - 1, first(t) + 1);
        }

        /** The weight of source pixel {@code s} (between {@link #first} and {@link #last}) in target {@code t}. */
        float weight(int t, int s) {
            if (size == SIDE) {
                return 1f;
            }
            if (size > SIDE) {
                double from = t * scale;
                double to = (t + 1) * scale;
                return (float) ((Math.min(s + 1, to) - Math.max(s, from)) / scale);
            }
            double centre = clampedCentre(t);
            int left = (int) Math.floor(centre);
            double fraction = centre - left;
            if (left == size - 1) {
                return s == left ? 1f : 0f;
            }
            return (float) (s == left ? 1 - fraction : fraction);
        }

        /** The source coordinate of target pixel {@code t}'s centre, clamped to the source's pixel centres. */
        private double clampedCentre(int t) {
            return Math.max(0, Math.min(size - 1, (t + 0.5) * scale - 0.5));
        }
    }
}

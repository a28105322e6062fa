package io.cifarstream.metrics;

/**
 * The image statistics drift is checked on, cheap enough for the scorer to compute for every image it decodes.
 * Pixels are scaled to [0, 1] ({@code x / 255} for 8-bit pixels).
 * <ul>
 *   <li>per RGB channel, the mean and the population standard deviation ({@code ddof = 0}, numpy's default:
 *       {@code sqrt(sum (x/255 - mean)^2 / n)}) of the image's pixels: brightness moves the means, contrast the
 *       deviations;</li>
 *   <li>chroma: the mean over pixels of {@code (max(R, G, B) - min(R, G, B)) / 255}, HSV's chroma, in [0, 1]:
 *       saturation moves it, and it does not move with brightness alone;</li>
 *   <li>detail: the sum of absolute differences between neighbouring pixels (right and below, every channel)
 *       over the same sum between pixels two apart, that sum taken as at least 1 (so a flat image has 0, and one
 *       whose variation is all at the finest scale, a checkerboard, a large value). It
 *       says how much of the image's variation is at the finest scale, whatever the image's content or
 *       contrast: noise raises it (towards 1 and above), blur, pixelation and JPEG lower it, where the other
 *       statistics hardly move.</li>
 * </ul>
 * All come from exact integer sums of the 8-bit values, then a few roundings (the last one to float32), so they
 * do not depend on the order of the pixels.
 *
 * <p>Layout of a statistics array: {@code [mean R, mean G, mean B, std R, std G, std B, chroma, detail]} as float32.
 */
public final class ImageStatistics {

    /** RGB. */
    public static final int CHANNELS = 3;
    /** Index of channel c's mean is {@code MEAN + c}, of its standard deviation {@code STD + c}. */
    public static final int MEAN = 0;
    public static final int STD = CHANNELS;
    /** Index of the chroma and of the detail ratio. */
    public static final int CHROMA = 2 * CHANNELS;
    public static final int DETAIL = CHROMA + 1;
    /** Length of a statistics array. */
    public static final int LENGTH = DETAIL + 1;
    /** The most pixels a channel may have (2048 x 2048): the integer sums stay exact. */
    public static final int MAX_PIXELS = 1 << 22;
    /** Pixels whose sum of squares fits in an int: 32,768 * 255^2 < 2^31. */
    private static final int INT_BLOCK = 1 << 15;

    private ImageStatistics() {
    }

    /**
     * Writes the statistics of one 8-bit image of {@code width} x {@code height} pixels stored channel by channel
     * (CHW: all red pixels row by row, then green, then blue), starting at {@code offset}, into
     * {@code out[0 .. LENGTH-1]}. Allocates nothing: the scorer calls it for every image it decodes.
     */
    public static void compute(byte[] pixels, int offset, int width, int height, float[] out) {
        compute(pixels, offset, width, height, out, 0);
    }

    /**
     * As {@link #compute(byte[], int, int, int, float[])}, into {@code out[outOffset .. outOffset+LENGTH-1]}: one
     * array can hold the statistics of a whole batch of images.
     */
    public static void compute(byte[] pixels, int offset, int width, int height, float[] out, int outOffset) {
        long plane = (long) width * height;
        if (width < 1 || height < 1 || plane > MAX_PIXELS || offset < 0 || offset + CHANNELS * plane > pixels.length) {
            throw new IllegalArgumentException("an image of " + CHANNELS + " x " + width + " x " + height
                    + " pixels at offset " + offset + " does not fit in " + pixels.length + " bytes");
        }
        if (outOffset < 0 || outOffset + LENGTH > out.length) {
            throw new IllegalArgumentException("the statistics need " + LENGTH + " floats from index " + outOffset
                    + ", the array holds " + out.length);
        }
        int n = (int) plane;
        long near = 0;
        long far = 0;
        for (int c = 0; c < CHANNELS; c++) {
            long sum = 0;
            long squares = 0;
            int start = offset + c * n;
            int end = start + n;
            // int sums per block (a third faster than long ones, measured), added up exactly in longs.
            for (int block = start; block < end; block += INT_BLOCK) {
                int blockEnd = Math.min(end, block + INT_BLOCK);
                int blockSum = 0;
                int blockSquares = 0;
                for (int i = block; i < blockEnd; i++) {
                    int x = pixels[i] & 0xFF;
                    blockSum += x;
                    blockSquares += x * x;
                }
                sum += blockSum;
                squares += blockSquares;
            }
            // n * sum(x^2) - sum(x)^2 = n^2 * variance(x): exact in a long up to MAX_PIXELS (n^2 * 255^2 < 2^63).
            long spread = (long) n * squares - sum * sum;
            out[outOffset + MEAN + c] = (float) (sum / (255.0 * n));
            out[outOffset + STD + c] = (float) (Math.sqrt((double) spread) / (255.0 * n));
            // Pairs one and two apart along rows: every pair in the plane read as one long row, less those that
            // wrap from a row's end to the next row's start; pairs down columns are one and two rows apart.
            near += ByteLanes.absoluteDifferences(pixels, start, n - 1, 1) - wrapping(pixels, start, width, height, 1)
                    + ByteLanes.absoluteDifferences(pixels, start, n - width, width);
            far += ByteLanes.absoluteDifferences(pixels, start, n - 2, 2) - wrapping(pixels, start, width, height, 2)
                    + ByteLanes.absoluteDifferences(pixels, start, n - 2 * width, 2 * width);
        }
        long chroma = ByteLanes.spreads(pixels, offset, n);
        out[outOffset + CHROMA] = (float) (chroma / (255.0 * n));
        out[outOffset + DETAIL] = (float) ((double) near / Math.max(far, 1));
    }

    /**
     * The sum of {@code |x[i] - x[i + distance]|} over the pairs of a plane (row by row from {@code start}) that a
     * flat reading of it takes for neighbours along a row but that lie in different rows.
     */
    private static long wrapping(byte[] pixels, int start, int width, int height, int distance) {
        int end = start + width * height;
        long sum = 0;
        for (int row = start; row < end; row += width) {
            for (int i = Math.max(row, row + width - distance); i < row + width && i + distance < end; i++) {
                sum += Math.abs((pixels[i] & 0xFF) - (pixels[i + distance] & 0xFF));
            }
        }
        return sum;
    }

    /**
     * Checks a statistics array as the accumulators take it.
     *
     * @throws IllegalArgumentException for a wrong length or a value that is not finite
     */
    static void require(float[] stats) {
        if (stats.length != LENGTH) {
            throw new IllegalArgumentException("image statistics are " + LENGTH + " floats (means and standard"
                    + " deviations of R, G, B, chroma, detail), got " + stats.length);
        }
        for (float value : stats) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("an image statistic is " + value + "; finite values are required");
            }
        }
    }
}

package io.cifarstream.metrics;

/**
 * The image statistics drift is checked on: per RGB channel, the mean and the standard deviation of one
 * image's pixels scaled to [0, 1] ({@code x / 255} for 8-bit pixels). The standard deviation is the
 * population one ({@code ddof = 0}, numpy's default): {@code sqrt(sum (x/255 - mean)^2 / n)}. Both come
 * from exact integer sums of the 8-bit values, then a few roundings (the last one to float32), so they do
 * not depend on the order of the pixels.
 *
 * <p>Layout of a statistics array: {@code [mean R, mean G, mean B, std R, std G, std B]} as float32.
 */
public final class ChannelStatistics {

    /** RGB. */
    public static final int CHANNELS = 3;
    /** Length of a statistics array. */
    public static final int LENGTH = 2 * CHANNELS;
    /** Index of channel c's mean is {@code MEAN + c}, of its standard deviation {@code STD + c}. */
    public static final int MEAN = 0;
    public static final int STD = CHANNELS;
    /** The most pixels a channel may have (2048 x 2048): the integer sums stay exact. */
    public static final int MAX_PIXELS = 1 << 22;
    /** Pixels whose sum of squares fits in an int: 32,768 * 255^2 < 2^31. */
    private static final int INT_BLOCK = 1 << 15;

    private ChannelStatistics() {
    }

    /**
     * Writes the statistics of one 8-bit image stored channel by channel (CHW: all red pixels, then green,
     * then blue), starting at {@code offset} with {@code pixelsPerChannel} pixels a channel, into
     * {@code out[0..5]}. Allocates nothing: the scorer calls it for every image it decodes.
     */
    public static void compute(byte[] pixels, int offset, int pixelsPerChannel, float[] out) {
        compute(pixels, offset, pixelsPerChannel, out, 0);
    }

    /**
     * As {@link #compute(byte[], int, int, float[])}, into {@code out[outOffset .. outOffset+5]}: one array can hold
     * the statistics of a whole batch of images.
     */
    public static void compute(byte[] pixels, int offset, int pixelsPerChannel, float[] out, int outOffset) {
        if (pixelsPerChannel < 1 || pixelsPerChannel > MAX_PIXELS || offset < 0 || offset + (long) CHANNELS * pixelsPerChannel > pixels.length) {
            throw new IllegalArgumentException("an image of " + CHANNELS + " x " + pixelsPerChannel
                    + " pixels at offset " + offset + " does not fit in " + pixels.length + " bytes");
        }
        if (outOffset < 0 || outOffset + LENGTH > out.length) {
            throw new IllegalArgumentException("the statistics need " + LENGTH + " floats from index " + outOffset
                    + ", the array holds " + out.length);
        }
        double n = pixelsPerChannel;
        for (int c = 0; c < CHANNELS; c++) {
            long sum = 0;
            long squares = 0;
            int end = offset + (c + 1) * pixelsPerChannel;
            // int sums per block (a third faster than long ones, measured), added up exactly in longs.
            for (int block = offset + c * pixelsPerChannel; block < end; block += INT_BLOCK) {
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
            long spread = (long) pixelsPerChannel * squares - sum * sum;
            out[outOffset + MEAN + c] = (float) (sum / (255 * n));
            out[outOffset + STD + c] = (float) (Math.sqrt((double) spread) / (255 * n));
        }
    }

    /**
     * Checks a statistics array as the accumulators take it.
     *
     * @throws IllegalArgumentException for a wrong length or a value that is not finite
     */
    static void require(float[] stats) {
        if (stats.length != LENGTH) {
            throw new IllegalArgumentException("image statistics are " + LENGTH + " floats (means then standard"
                    + " deviations of R, G, B), got " + stats.length);
        }
        for (float value : stats) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("an image statistic is " + value + "; finite values are required");
            }
        }
    }
}

package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Applies one {@link Shift} to single images in the CHW byte layout (1024 red, 1024 green, 1024 blue bytes) the way
 * the benchmark's make_cifar_c.py does: on values x / 255 in doubles, clipped to [0, 1], times 255 and cut to a byte
 * by truncation, as its final {@code np.uint8(...)} does. Noise comes from the generator the caller passes, so the
 * same generator state and image give the same bytes.
 *
 * <p>Keeps its scratch buffers (and, for JPEG, its codec) between images: one instance per thread.
 */
public final class ImageCorrupter {
    private static final int SIDE = CifarShape.SIDE;
    private static final int PLANE = CifarShape.PLANE;
    private static final int PIXELS = CifarShape.PIXELS;

    private final Shift shift;
    private final double[] parameters;
    private final double[] unit;
    private final double[] blurred;
    private final byte[] small;
    private final DefocusKernel defocus;
    private final HsvAdjustment hsv;
    private final PillowBoxResize down;
    private final PillowBoxResize up;
    private final JpegRoundTrip jpeg;

    public ImageCorrupter(Shift shift) {
        this.shift = Objects.requireNonNull(shift, "shift");
        this.parameters = shift.parameters();
        Corruption corruption = shift.corruption();
        this.unit = corruption == Corruption.DEFOCUS_BLUR ? new double[PIXELS] : null;
        this.blurred = corruption == Corruption.DEFOCUS_BLUR ? new double[PIXELS] : null;
        this.defocus = corruption == Corruption.DEFOCUS_BLUR ? new DefocusKernel(parameters[0], parameters[1]) : null;
        this.hsv = switch (corruption) {
            case BRIGHTNESS -> HsvAdjustment.brightness(parameters[0]);
            case SATURATE -> HsvAdjustment.saturate(parameters[0], parameters[1]);
            default -> null;
        };
        // int(32 * c) as the reference writes it: 0.95 gives 30, 0.65 gives 20
        int pixelated = (int) (SIDE * parameters[0]);
        this.down = corruption == Corruption.PIXELATE ? new PillowBoxResize(SIDE, pixelated) : null;
        this.up = corruption == Corruption.PIXELATE ? new PillowBoxResize(pixelated, SIDE) : null;
        this.small = corruption == Corruption.PIXELATE ? new byte[pixelated * pixelated] : null;
        this.jpeg = corruption == Corruption.JPEG_COMPRESSION ? new JpegRoundTrip((int) parameters[0]) : null;
    }

    public Shift shift() {
        return shift;
    }

    /**
     * Writes the corrupted image at {@code in[inOffset]} ({@link CifarShape#PIXELS} bytes) to {@code out[outOffset]};
     * the two may be the same place. {@code random} is drawn from only by the noise corruptions.
     */
    public void corrupt(byte[] in, int inOffset, byte[] out, int outOffset, RandomGenerator random) {
        Objects.checkFromIndexSize(inOffset, PIXELS, in.length);
        Objects.checkFromIndexSize(outOffset, PIXELS, out.length);
        switch (shift.corruption()) {
            case GAUSSIAN_NOISE -> gaussianNoise(in, inOffset, out, outOffset, random);
            case SHOT_NOISE -> shotNoise(in, inOffset, out, outOffset, random);
            case IMPULSE_NOISE -> impulseNoise(in, inOffset, out, outOffset, random);
            case DEFOCUS_BLUR -> defocusBlur(in, inOffset, out, outOffset);
            case CONTRAST -> contrast(in, inOffset, out, outOffset);
            case BRIGHTNESS, SATURATE -> hsv.apply(in, inOffset, out, outOffset);
            case PIXELATE -> pixelate(in, inOffset, out, outOffset);
            case JPEG_COMPRESSION -> jpeg.apply(in, inOffset, out, outOffset);
        }
    }

    /** np.clip(x + np.random.normal(size=x.shape, scale=c), 0, 1) * 255. */
    private void gaussianNoise(byte[] in, int inOffset, byte[] out, int outOffset, RandomGenerator random) {
        double sigma = parameters[0];
        for (int i = 0; i < PIXELS; i++) {
            out[outOffset + i] = toByte((in[inOffset + i] & 0xff) / 255.0 + random.nextGaussian() * sigma);
        }
    }

    /** np.clip(np.random.poisson(x * c) / c, 0, 1) * 255. */
    private void shotNoise(byte[] in, int inOffset, byte[] out, int outOffset, RandomGenerator random) {
        double photons = parameters[0];
        for (int i = 0; i < PIXELS; i++) {
            long count = PoissonSampler.draw(random, (in[inOffset + i] & 0xff) / 255.0 * photons);
            out[outOffset + i] = toByte(count / photons);
        }
    }

    /** skimage.util.random_noise(x, mode='s&p', amount=c): each value, with probability c, becomes 0 or 1 alike. */
    private void impulseNoise(byte[] in, int inOffset, byte[] out, int outOffset, RandomGenerator random) {
        double amount = parameters[0];
        for (int i = 0; i < PIXELS; i++) {
            double x = (in[inOffset + i] & 0xff) / 255.0;
            if (random.nextDouble() < amount) {
                x = random.nextDouble() < 0.5 ? 1.0 : 0.0;
            }
            out[outOffset + i] = toByte(x);
        }
    }

    /** np.clip((x - means) * c + means, 0, 1) * 255, with the means taken per channel over the image. */
    private void contrast(byte[] in, int inOffset, byte[] out, int outOffset) {
        double factor = parameters[0];
        for (int c = 0; c < CifarShape.CHANNELS; c++) {
            int plane = c * PLANE;
            double sum = 0;
            for (int p = 0; p < PLANE; p++) {
                sum += (in[inOffset + plane + p] & 0xff) / 255.0;
            }
            double mean = sum / PLANE;
            for (int p = 0; p < PLANE; p++) {
                out[outOffset + plane + p] = toByte(((in[inOffset + plane + p] & 0xff) / 255.0 - mean) * factor + mean);
            }
        }
    }

    /** Each channel correlated with the aliased disk, then np.clip(..., 0, 1) * 255. */
    private void defocusBlur(byte[] in, int inOffset, byte[] out, int outOffset) {
        for (int i = 0; i < PIXELS; i++) {
            unit[i] = (in[inOffset + i] & 0xff) / 255.0;
        }
        for (int c = 0; c < CifarShape.CHANNELS; c++) {
            defocus.apply(unit, blurred, c * PLANE, SIDE);
        }
        for (int i = 0; i < PIXELS; i++) {
            out[outOffset + i] = toByte(blurred[i]);
        }
    }

    /** Pillow's BOX resize to int(32 * c) and BOX resize back to 32, channel by channel. */
    private void pixelate(byte[] in, int inOffset, byte[] out, int outOffset) {
        for (int c = 0; c < CifarShape.CHANNELS; c++) {
            down.resize(in, inOffset + c * PLANE, small, 0);
            up.resize(small, 0, out, outOffset + c * PLANE);
        }
    }

    /** np.uint8(np.clip(x, 0, 1) * 255): clipped, scaled and truncated, as the reference ends every corruption. */
    static byte toByte(double unit) {
        double clipped = unit < 0 ? 0 : unit > 1 ? 1 : unit;
        return (byte) (int) (clipped * 255);
    }
}

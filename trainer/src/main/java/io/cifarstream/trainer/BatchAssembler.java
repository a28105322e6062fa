package io.cifarstream.trainer;

import io.cifarstream.schemas.CifarShape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Turns CIFAR-10 records (CHW bytes) into a normalized float batch laid out channels-last, [N,32,32,3] (what
 * {@link CifarNet#input} takes), optionally augmented with a random crop out of the zero-padded image and a random
 * horizontal flip, plus the (optionally smoothed) one-hot targets.
 *
 * <p>Works in buffers allocated once for the largest batch and reused: no allocation per image or per batch.
 * Normalization is a table lookup per pixel. Not thread-safe.
 *
 * <p>Batches come out as direct native-order {@link ByteBuffer}s because DJL's PyTorch engine wraps exactly such a
 * buffer as a tensor; any other buffer (a direct {@link FloatBuffer} included) it copies into a fresh direct buffer
 * per call, which only the garbage collector frees, so a training run's resident memory would grow by a batch every
 * step. A tensor made from a returned buffer shares its memory: close it before the next call refills the buffer.
 */
final class BatchAssembler {

    private final float[][] lookup;
    private final float[] paddingValue;
    private final int cropPadding;
    private final boolean flip;
    private final float[] pixels;
    private final ByteBuffer pixelBytes;
    private final FloatBuffer pixelFloats;
    private final float[] targets;
    private final ByteBuffer targetBytes;
    private final FloatBuffer targetFloats;
    private final float onValue;
    private final float offValue;

    BatchAssembler(Normalization normalization, int maxBatch, int cropPadding, boolean flip, double labelSmoothing) {
        this.lookup = normalization.lookupTable();
        this.paddingValue = new float[] {lookup[0][0], lookup[1][0], lookup[2][0]};
        this.cropPadding = cropPadding;
        this.flip = flip;
        this.pixels = new float[maxBatch * CifarShape.PIXELS];
        this.pixelBytes = direct(maxBatch * CifarShape.PIXELS);
        this.pixelFloats = pixelBytes.asFloatBuffer();
        this.targets = new float[maxBatch * CifarShape.CLASSES];
        this.targetBytes = direct(maxBatch * CifarShape.CLASSES);
        this.targetFloats = targetBytes.asFloatBuffer();
        this.offValue = (float) (labelSmoothing / CifarShape.CLASSES);
        this.onValue = (float) (1 - labelSmoothing + labelSmoothing / CifarShape.CLASSES);
    }

    private static ByteBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    /** {@code values[0 .. floats-1]} into {@code bytes} through its float view; the bytes ready for reading. */
    private static ByteBuffer fill(ByteBuffer bytes, FloatBuffer view, float[] values, int floats) {
        view.clear();
        view.put(values, 0, floats);
        bytes.clear().limit(floats * Float.BYTES);
        return bytes;
    }

    /**
     * Fills the batch with records {@code order[from .. from+count-1]} of {@code source}, augmented when this
     * assembler augments (random draws from {@code random}). Returns the pixels, float32 [count,32,32,3].
     */
    ByteBuffer images(byte[] source, int[] order, int from, int count, SplitMix64 random) {
        for (int b = 0; b < count; b++) {
            int record = order[from + b];
            int dy = cropPadding == 0 ? 0 : random.nextInt(2 * cropPadding + 1) - cropPadding;
            int dx = cropPadding == 0 ? 0 : random.nextInt(2 * cropPadding + 1) - cropPadding;
            boolean mirror = flip && random.nextInt(2) == 1;
            copyImage(source, record * CifarShape.PIXELS, b * CifarShape.PIXELS, dy, dx, mirror);
        }
        return fill(pixelBytes, pixelFloats, pixels, count * CifarShape.PIXELS);
    }

    /** Records {@code first .. first+count-1} of {@code source}, normalized, without augmentation, [count,32,32,3]. */
    ByteBuffer images(byte[] source, int first, int count) {
        for (int b = 0; b < count; b++) {
            copyImage(source, (first + b) * CifarShape.PIXELS, b * CifarShape.PIXELS, 0, 0, false);
        }
        return fill(pixelBytes, pixelFloats, pixels, count * CifarShape.PIXELS);
    }

    /**
     * Output pixel (y, x) is source pixel (y + dy, x' + dx), x' = mirrored x or x; outside the image: padding.
     * Written channels-last (y, x, channel) from the record's channel planes.
     */
    private void copyImage(byte[] source, int sourceOffset, int targetOffset, int dy, int dx, boolean mirror) {
        int out = targetOffset;
        for (int y = 0; y < CifarShape.SIDE; y++) {
            int sy = y + dy;
            boolean rowInside = sy >= 0 && sy < CifarShape.SIDE;
            for (int x = 0; x < CifarShape.SIDE; x++, out += CifarShape.CHANNELS) {
                int sx = (mirror ? CifarShape.SIDE - 1 - x : x) + dx;
                if (rowInside && sx >= 0 && sx < CifarShape.SIDE) {
                    int pixel = sourceOffset + sy * CifarShape.SIDE + sx;
                    for (int c = 0; c < CifarShape.CHANNELS; c++) {
                        pixels[out + c] = lookup[c][source[pixel + c * CifarShape.PLANE] & 0xff];
                    }
                } else {
                    System.arraycopy(paddingValue, 0, pixels, out, CifarShape.CHANNELS);
                }
            }
        }
    }

    /** Smoothed one-hot targets of records {@code order[from .. from+count-1]}, float32 [count,10]. */
    ByteBuffer targets(byte[] labels, int[] order, int from, int count) {
        java.util.Arrays.fill(targets, 0, count * CifarShape.CLASSES, offValue);
        for (int b = 0; b < count; b++) {
            targets[b * CifarShape.CLASSES + labels[order[from + b]]] = onValue;
        }
        return fill(targetBytes, targetFloats, targets, count * CifarShape.CLASSES);
    }
}

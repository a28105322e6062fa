package io.cifarstream.trainer;

import io.cifarstream.schemas.CifarShape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Turns CIFAR-10 records (CHW bytes) into a normalized float batch, optionally augmented with a random crop out of
 * the zero-padded image and a random horizontal flip, plus the (optionally smoothed) one-hot targets.
 *
 * <p>Works in buffers allocated once for the largest batch and reused: no allocation per image or per batch.
 * Normalization is a table lookup per pixel. Not thread-safe.
 */
final class BatchAssembler {

    private final float[][] lookup;
    private final float[] paddingValue;
    private final int cropPadding;
    private final boolean flip;
    private final float[] pixels;
    private final FloatBuffer pixelBuffer;
    private final float[] targets;
    private final FloatBuffer targetBuffer;
    private final float onValue;
    private final float offValue;

    BatchAssembler(Normalization normalization, int maxBatch, int cropPadding, boolean flip, double labelSmoothing) {
        this.lookup = normalization.lookupTable();
        this.paddingValue = new float[] {lookup[0][0], lookup[1][0], lookup[2][0]};
        this.cropPadding = cropPadding;
        this.flip = flip;
        this.pixels = new float[maxBatch * CifarShape.PIXELS];
        this.pixelBuffer = direct(maxBatch * CifarShape.PIXELS);
        this.targets = new float[maxBatch * CifarShape.CLASSES];
        this.targetBuffer = direct(maxBatch * CifarShape.CLASSES);
        this.offValue = (float) (labelSmoothing / CifarShape.CLASSES);
        this.onValue = (float) (1 - labelSmoothing + labelSmoothing / CifarShape.CLASSES);
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Fills the batch with records {@code order[from .. from+count-1]} of {@code source}, augmented when this
     * assembler augments (random draws from {@code random}). Returns the pixel buffer, flipped for reading.
     */
    FloatBuffer images(byte[] source, int[] order, int from, int count, SplitMix64 random) {
        for (int b = 0; b < count; b++) {
            int record = order[from + b];
            int dy = cropPadding == 0 ? 0 : random.nextInt(2 * cropPadding + 1) - cropPadding;
            int dx = cropPadding == 0 ? 0 : random.nextInt(2 * cropPadding + 1) - cropPadding;
            boolean mirror = flip && random.nextInt(2) == 1;
            copyImage(source, record * CifarShape.PIXELS, b * CifarShape.PIXELS, dy, dx, mirror);
        }
        pixelBuffer.clear();
        pixelBuffer.put(pixels, 0, count * CifarShape.PIXELS).flip();
        return pixelBuffer;
    }

    /** Records {@code first .. first+count-1} of {@code source}, normalized, without augmentation. */
    FloatBuffer images(byte[] source, int first, int count) {
        for (int b = 0; b < count; b++) {
            copyImage(source, (first + b) * CifarShape.PIXELS, b * CifarShape.PIXELS, 0, 0, false);
        }
        pixelBuffer.clear();
        pixelBuffer.put(pixels, 0, count * CifarShape.PIXELS).flip();
        return pixelBuffer;
    }

    /** Output pixel (y, x) is source pixel (y + dy, x' + dx), x' = mirrored x or x; outside the image: padding. */
    private void copyImage(byte[] source, int sourceOffset, int targetOffset, int dy, int dx, boolean mirror) {
        for (int c = 0; c < 3; c++) {
            float[] table = lookup[c];
            int sourcePlane = sourceOffset + c * CifarShape.PLANE;
            int targetPlane = targetOffset + c * CifarShape.PLANE;
            for (int y = 0; y < CifarShape.SIDE; y++) {
                int sy = y + dy;
                int targetRow = targetPlane + y * CifarShape.SIDE;
                if (sy < 0 || sy >= CifarShape.SIDE) {
                    java.util.Arrays.fill(pixels, targetRow, targetRow + CifarShape.SIDE, paddingValue[c]);
                    continue;
                }
                int sourceRow = sourcePlane + sy * CifarShape.SIDE;
                for (int x = 0; x < CifarShape.SIDE; x++) {
                    int sx = (mirror ? CifarShape.SIDE - 1 - x : x) + dx;
                    pixels[targetRow + x] = sx < 0 || sx >= CifarShape.SIDE ? paddingValue[c] : table[source[sourceRow + sx] & 0xff];
                }
            }
        }
    }

    /** Smoothed one-hot targets of records {@code order[from .. from+count-1]}, flipped for reading. */
    FloatBuffer targets(byte[] labels, int[] order, int from, int count) {
        java.util.Arrays.fill(targets, 0, count * CifarShape.CLASSES, offValue);
        for (int b = 0; b < count; b++) {
            targets[b * CifarShape.CLASSES + labels[order[from + b]]] = onValue;
        }
        targetBuffer.clear();
        targetBuffer.put(targets, 0, count * CifarShape.CLASSES).flip();
        return targetBuffer;
    }
}

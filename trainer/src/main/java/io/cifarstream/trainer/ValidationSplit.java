package io.cifarstream.trainer;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.CifarShape;

import java.util.Arrays;

/**
 * The training images a run holds out: never trained on, they are the labelled reference the exported model's
 * calibration and reference distributions are measured on (a model's confidences on its own training images are
 * over-fitted). The held-out images are the first {@code count} of a permutation of the split drawn with the fixed
 * seed {@link #SEED}, whatever the run's seed: every run holding out N images of a split holds out the same N, a
 * smaller holdout lies inside a larger one, and {@code calibrate} finds them again without knowing the run. The
 * kept images stay in file order.
 */
public final class ValidationSplit {

    /** Seeds the permutation the held-out images are drawn from. */
    public static final long SEED = 20_240_517L;
    /** What a run of the fast recipe holds out unless told otherwise: a tenth of CIFAR-10's training split. */
    public static final int FAST_DEFAULT = 5_000;

    private final int[] heldOut;
    private final int[] kept;

    private ValidationSplit(int[] heldOut, int[] kept) {
        this.heldOut = heldOut;
        this.kept = kept;
    }

    /**
     * Holds out {@code count} of {@code size} images.
     *
     * @throws IllegalArgumentException unless {@code 0 <= count < size}: at least one image is left to train on
     */
    public static ValidationSplit of(int size, int count) {
        if (count < 0 || count >= size) {
            throw new IllegalArgumentException("cannot hold out " + count + " of " + size
                    + " images: hold out 0 to " + (size - 1));
        }
        int[] order = new SplitMix64(SEED).permutation(size);
        int[] heldOut = Arrays.copyOf(order, count);
        Arrays.sort(heldOut);
        boolean[] out = new boolean[size];
        for (int i : heldOut) {
            out[i] = true;
        }
        int[] kept = new int[size - count];
        for (int i = 0, k = 0; i < size; i++) {
            if (!out[i]) {
                kept[k++] = i;
            }
        }
        return new ValidationSplit(heldOut, kept);
    }

    /** What a run of {@code recipe} holds out by default: the seed recipe trains on everything, as the write-up did. */
    public static int defaultCount(Recipe recipe) {
        return recipe.name().equals(Recipe.seed().name()) ? 0 : FAST_DEFAULT;
    }

    /** Indices of the held-out images in the split, ascending. */
    public int[] heldOutIndices() {
        return heldOut.clone();
    }

    /** Indices of the images left to train on, ascending. */
    public int[] keptIndices() {
        return kept.clone();
    }

    /** The held-out images of {@code images} (the split this was made for), in file order. */
    public CifarImages validation(CifarImages images) {
        return select(images, heldOut, heldOut.length);
    }

    /** The first {@code limit} images left to train on (all of them for 0), in file order. */
    public CifarImages training(CifarImages images, int limit) {
        int n = limit == 0 ? kept.length : Math.min(limit, kept.length);
        return heldOut.length == 0 ? images.first(n) : select(images, kept, n);
    }

    private CifarImages select(CifarImages images, int[] indices, int n) {
        if (images.size() != heldOut.length + kept.length) {
            throw new IllegalArgumentException(images + " is not the split of " + (heldOut.length + kept.length)
                    + " images this holdout was drawn for");
        }
        byte[] pixels = new byte[n * CifarShape.PIXELS];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.pixels(), indices[i] * CifarShape.PIXELS, pixels, i * CifarShape.PIXELS,
                    CifarShape.PIXELS);
            labels[i] = images.labels()[indices[i]];
        }
        return new CifarImages(images.split(), pixels, labels, images.classNames());
    }
}

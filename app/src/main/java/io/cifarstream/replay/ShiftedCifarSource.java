package io.cifarstream.replay;

import java.nio.ByteBuffer;
import java.util.OptionalInt;

import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.schemas.ImageEvent;

/**
 * A CIFAR-10 split published clean for the first images of a replay and corrupted after them, so that whatever
 * watches the stream sees the distribution shift part way through. Which images come first is the plan's order
 * (shuffled or not, cut to its limit). A corrupted image is made when it is published, with noise seeded by the seed
 * and its index: the same bytes {@link CorruptedImages#all()} holds. Its event's source names the shift, e.g.
 * {@code cifar10:test+contrast:3}; ids and labels are the clean split's.
 */
public final class ShiftedCifarSource implements ImageSource {
    private final CifarSplitSource clean;
    private final CorruptedImages corrupted;
    private final boolean[] shifted;
    private final int cleanFirst;

    private ShiftedCifarSource(CorruptedImages corrupted, boolean[] shifted, int cleanFirst) {
        this.clean = new CifarSplitSource(corrupted.clean());
        this.corrupted = corrupted;
        this.shifted = shifted;
        this.cleanFirst = cleanFirst;
    }

    /**
     * Publishes the first {@code cleanFirst} images of {@code plan}'s order clean and every later one corrupted
     * ({@code cleanFirst = 0}: all corrupted).
     */
    public static ShiftedCifarSource after(CorruptedImages corrupted, ReplayPlan plan, int cleanFirst) {
        if (cleanFirst < 0) {
            throw new IllegalArgumentException("--shift-after must not be negative, got " + cleanFirst);
        }
        int[] order = Replay.order(corrupted.size(), plan);
        boolean[] shifted = new boolean[corrupted.size()];
        for (int n = cleanFirst; n < order.length; n++) {
            shifted[order[n]] = true;
        }
        return new ShiftedCifarSource(corrupted, shifted, cleanFirst);
    }

    /** Whether image {@code i} is published corrupted. */
    public boolean shifted(int i) {
        return shifted[i];
    }

    @Override
    public int size() {
        return clean.size();
    }

    @Override
    public String id(int i) {
        return clean.id(i);
    }

    @Override
    public OptionalInt label(int i) {
        return clean.label(i);
    }

    @Override
    public ImageEvent event(int i, long eventTime) {
        if (!shifted[i]) {
            return clean.event(i, eventTime);
        }
        return CifarSplitSource.rawEvent(id(i), eventTime, clean.description() + "+" + corrupted.shift(),
                ByteBuffer.wrap(corrupted.image(i)));
    }

    @Override
    public String description() {
        return clean.description() + " shifted by " + corrupted.shift() + " (seed " + corrupted.seed() + ")"
                + (cleanFirst == 0 ? "" : " after " + cleanFirst + " clean images");
    }
}

package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * A CIFAR-10 split seen through a {@link Shift}. Image {@code i}'s noise is drawn from a generator seeded by the seed
 * and {@code i} alone, so any image can be corrupted on its own, in any order and on any thread, and always comes out
 * the same: a replay that corrupts images one by one publishes exactly the bytes {@link #all()} holds.
 * Thread-safe.
 */
public final class CorruptedImages {
    /** Images per task when {@link #all()} works in parallel. */
    private static final int CHUNK = 256;

    private final CifarImages clean;
    private final Shift shift;
    private final long seed;
    private final ImageCorrupter corrupter;

    public CorruptedImages(CifarImages clean, Shift shift, long seed) {
        this.clean = Objects.requireNonNull(clean, "clean");
        this.shift = Objects.requireNonNull(shift, "shift");
        this.seed = seed;
        this.corrupter = new ImageCorrupter(shift);
    }

    public CifarImages clean() {
        return clean;
    }

    public Shift shift() {
        return shift;
    }

    public long seed() {
        return seed;
    }

    public int size() {
        return clean.size();
    }

    /** Image {@code i} corrupted: {@link CifarShape#PIXELS} fresh bytes in the CHW layout. */
    public byte[] image(int i) {
        Objects.checkIndex(i, clean.size());
        byte[] out = new byte[CifarShape.PIXELS];
        synchronized (corrupter) {
            corrupter.corrupt(clean.pixels(), i * CifarShape.PIXELS, out, 0, noiseOf(seed, i));
        }
        return out;
    }

    /**
     * Every image corrupted, as a split with the same name, labels, class names and ids. Works in parallel over
     * chunks, each with its own corrupter; the result does not depend on how the work was split.
     */
    public CifarImages all() {
        byte[] source = clean.pixels();
        byte[] pixels = new byte[source.length];
        int chunks = (clean.size() + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel().forEach(chunk -> {
            ImageCorrupter own = new ImageCorrupter(shift);
            for (int i = chunk * CHUNK, end = Math.min(clean.size(), i + CHUNK); i < end; i++) {
                own.corrupt(source, i * CifarShape.PIXELS, pixels, i * CifarShape.PIXELS, noiseOf(seed, i));
            }
        });
        return new CifarImages(clean.split(), pixels, clean.labels(), clean.classNames());
    }

    /** The generator of image {@code index}'s noise, seeded by a mix of the seed and the index. */
    static RandomGenerator noiseOf(long seed, int index) {
        return new SplittableRandom(mix64(seed * 0x9E3779B97F4A7C15L + index));
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser (as SplittableRandom uses it): a bijection on longs. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "CorruptedImages[" + clean.split() + ", " + clean.size() + " records, " + shift + ", seed " + seed + "]";
    }
}

package io.cifarstream.inference;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call's images, handed to lanes in chunks until none is left. Chunks shrink as the work runs out (guided
 * scheduling: a lane takes {@code 1/(2 lanes)} of what is left, at most its capacity; with one lane, full chunks), so
 * the lanes finish together instead of one idling while another scores a last full chunk: a lane call costs about
 * the same per image at 1 image as at 32. Safe for the lanes to share; allocation-free per chunk.
 */
final class GuidedChunks {
    /** What {@link #next()} returns when no image is left. */
    static final long NONE = -1;

    private final int count;
    private final int lanes;
    private final int capacity;
    /** Images handed out so far. */
    private final AtomicInteger taken = new AtomicInteger();

    /**
     * @param count    images in the call
     * @param lanes    lanes taking chunks
     * @param capacity the most images a lane scores at once
     */
    GuidedChunks(int count, int lanes, int capacity) {
        if (count < 0 || lanes < 1 || capacity < 1) {
            throw new IllegalArgumentException("count " + count + ", lanes " + lanes + ", capacity " + capacity);
        }
        this.count = count;
        this.lanes = lanes;
        this.capacity = capacity;
    }

    /**
     * The next chunk: its first image (index into the call) in the high 32 bits and its size in the low 32, or
     * {@link #NONE}.
     */
    long next() {
        while (true) {
            int done = taken.get();
            int left = count - done;
            if (left <= 0) {
                return NONE;
            }
            int n = lanes == 1 ? Math.min(left, capacity) : Math.min(capacity, ceilDiv(left, 2 * lanes));
            if (taken.compareAndSet(done, done + n)) {
                return (long) done << 32 | n;
            }
        }
    }

    /** Hands out nothing more: a lane that failed stops the others after their current chunk. */
    void abandon() {
        taken.set(count);
    }

    static int first(long chunk) {
        return (int) (chunk >>> 32);
    }

    static int size(long chunk) {
        return (int) chunk;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

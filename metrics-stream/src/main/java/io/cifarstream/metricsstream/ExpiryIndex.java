package io.cifarstream.metricsstream;

import org.apache.kafka.common.utils.Bytes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The label join's entries by expiry time, in memory, in buckets of one second. It needs no changelog: each join
 * entry holds its own expiry, so the index is rebuilt from the join store when the task starts. References are
 * never removed when an entry is matched, replaced or deleted; when a bucket is due, the entry's current expiry
 * decides, and a reference to an entry that is gone or due later is dropped (a live entry always has a reference
 * in the bucket of its current expiry). Not thread-safe: owned by one {@link LabelJoin}.
 */
final class ExpiryIndex {

    private static final long BUCKET_MS = 1000;

    private final TreeMap<Long, List<Bytes>> buckets = new TreeMap<>();

    /** Indexes the entry under {@code key}, which expires at {@code expiry}. */
    void add(long expiry, Bytes key) {
        buckets.computeIfAbsent(Math.floorDiv(expiry, BUCKET_MS), b -> new ArrayList<>()).add(key);
    }

    /**
     * The keys whose entries are due at {@code time} (expiry at or before it), removed from the index; a key
     * indexed twice for the same expiry comes twice (the caller finds it gone the second time).
     * {@code currentExpiry} gives an entry's expiry now, or {@link Long#MIN_VALUE} when it is gone.
     */
    List<Bytes> takeDue(long time, ToLongFunction<Bytes> currentExpiry) {
        List<Bytes> due = new ArrayList<>();
        long lastBucket = Math.floorDiv(time, BUCKET_MS);
        while (!buckets.isEmpty() && buckets.firstKey() <= lastBucket) {
            Map.Entry<Long, List<Bytes>> bucket = buckets.pollFirstEntry();
            List<Bytes> notYet = new ArrayList<>();
            for (Bytes key : bucket.getValue()) {
                long expiry = currentExpiry.applyAsLong(key);
                if (expiry == Long.MIN_VALUE || Math.floorDiv(expiry, BUCKET_MS) != bucket.getKey()) {
                    continue; // gone, or indexed again in the bucket of its new expiry
                }
                if (expiry <= time) {
                    due.add(key);
                } else {
                    notYet.add(key);
                }
            }
            if (!notYet.isEmpty()) {
                // Only the bucket of `time` itself can hold entries due later: the earlier ones are over.
                buckets.put(bucket.getKey(), notYet);
                break;
            }
        }
        return due;
    }

    /** References to live entries: at most a few per entry. */
    int size() {
        return buckets.values().stream().mapToInt(List::size).sum();
    }
}

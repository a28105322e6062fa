package io.cifarstream.metrics;

/**
 * The cells of a {@link RocSketch}: per cell key (a non-negative int) a negative count, a positive count
 * and the level-0 key of the only score the cell has held, {@link #MIXED} once a second one came.
 *
 * <p>Open addressing with linear probing and backward-shift deletion (no tombstones, so lookups stay
 * short under removals), filled at most 3/4, the slot count a power of 2. The table is ONE
 * {@code long[]} of 3 longs, 24 bytes, a slot: the head {@code (key + 1) << 32 | single}, then the
 * negative and the positive count. A slot is contiguous because the cumulative tables of a 10-class
 * stream (tens of MB) do not fit in any cache: each update misses in DRAM, and one slot costs one
 * cache line (two for the 1 in 4 slots that straddle a line boundary, and then mostly for the count
 * that is not next to the head) where parallel arrays of keys, counts and single scores cost up to
 * four. The probe reads heads only; an add writes the head at most once (a cell becoming mixed) and
 * the one count it changes; negatives sit next to the head since all but one class of each record
 * add a negative. A head of 0 is a free slot, so a new table needs no filling.
 *
 * <p>Slots are addressed by their index, {@code 0 .. slotCount() - 1}; an index is valid until the next
 * change, which may grow the table or shift cells back into a freed slot.
 */
final class CellTable {

    /** The single score of a cell that has held two distinct scores; a cell never becomes single again. */
    static final int MIXED = -1;
    /** The slot count of a new sketch's table. */
    static final int MIN_SLOTS = 16;

    /** Longs per slot: the head, then the negative count, then the positive count. */
    private static final int STRIDE = 3;
    private static final int NEG = 1;
    private static final int POS = 2;
    /** The most slots a {@code long[]} of {@code STRIDE} longs a slot can hold, a power of 2. */
    private static final int MAX_SLOTS = 1 << 29;

    private long[] table;
    /** Slots - 1. */
    private int mask;
    private int size;

    /** An empty table of {@code slots} slots, a power of 2. */
    CellTable(int slots) {
        if (Integer.bitCount(slots) != 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("slots must be a power of 2 up to " + MAX_SLOTS + ", got " + slots);
        }
        this.table = new long[slots * STRIDE];
        this.mask = slots - 1;
    }

    private CellTable(long[] table, int size) {
        this.table = table;
        this.mask = table.length / STRIDE - 1;
        this.size = size;
    }

    /** An independent copy, slot for slot. */
    CellTable copy() {
        return new CellTable(table.clone(), size);
    }

    /** Cells in use. */
    int size() {
        return size;
    }

    int slotCount() {
        return mask + 1;
    }

    boolean isFree(int slot) {
        return table[slot * STRIDE] == 0;
    }

    /** The key of the cell in an occupied slot. */
    int key(int slot) {
        return keyOf(table[slot * STRIDE]);
    }

    /** The level-0 key of the only score the cell in an occupied slot has held, or {@link #MIXED}. */
    int single(int slot) {
        return singleOf(table[slot * STRIDE]);
    }

    long positives(int slot) {
        return table[slot * STRIDE + POS];
    }

    long negatives(int slot) {
        return table[slot * STRIDE + NEG];
    }

    /** The slot of the cell with this key, or -1. */
    int find(int key) {
        int tag = key + 1;
        for (int slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
            long head = table[slot * STRIDE];
            if ((int) (head >>> 32) == tag) {
                return slot;
            }
            if (head == 0) {
                return -1;
            }
        }
    }

    /** The positive or the negative count of the cell with this key; 0 without such a cell. */
    long count(int key, boolean positive) {
        int slot = find(key);
        return slot < 0 ? 0 : table[slot * STRIDE + (positive ? POS : NEG)];
    }

    /**
     * Adds the deltas to a cell, creating it or deleting it when both counts reach 0; {@code single} is
     * the level-0 key of the records added (or MIXED), which keeps the cell single or makes it mixed.
     *
     * @throws ArithmeticException if a count overflows a long
     */
    void change(int key, long deltaPositive, long deltaNegative, int single) {
        int tag = key + 1;
        int slot = hash(key) & mask;
        long head = table[slot * STRIDE];
        while (head != 0 && (int) (head >>> 32) != tag) {
            slot = (slot + 1) & mask;
            head = table[slot * STRIDE];
        }
        int at = slot * STRIDE;
        if (head == 0) {
            table[at] = head(key, single);
            table[at + POS] = deltaPositive;
            table[at + NEG] = deltaNegative;
            size++;
            if (size * 4L > (mask + 1L) * 3) {
                grow();
            }
            return;
        }
        // Only the counts that change are written: an add touches the head and one count.
        if (deltaPositive != 0) {
            table[at + POS] = Math.addExact(table[at + POS], deltaPositive);
        }
        if (deltaNegative != 0) {
            table[at + NEG] = Math.addExact(table[at + NEG], deltaNegative);
        }
        if (singleOf(head) != single && singleOf(head) != MIXED) {
            table[at] = head(key, MIXED);
        }
        if ((deltaPositive | deltaNegative) < 0 && table[at + POS] == 0 && table[at + NEG] == 0) {
            delete(slot);
        }
    }

    /**
     * Takes one positive or negative record out of the cell with this key, deleting the cell when both
     * counts reach 0; the cell's single score stays as it is.
     *
     * @return false, and nothing changed, when the cell holds no such record
     */
    boolean removeOne(int key, boolean positive) {
        // One probe for the check and the change.
        int slot = find(key);
        if (slot < 0) {
            return false;
        }
        int at = slot * STRIDE;
        int count = at + (positive ? POS : NEG);
        if (table[count] == 0) {
            return false;
        }
        table[count]--;
        if (table[at + POS] == 0 && table[at + NEG] == 0) {
            delete(slot);
        }
        return true;
    }

    /**
     * These cells in a new table, their keys moved from level {@code from} to the coarser level {@code to}
     * of the {@link LogOddsGrid}; cells that meet there add up. The slots are visited in order, so equal
     * tables give equal tables.
     */
    CellTable coarsened(int from, int to) {
        CellTable coarse = new CellTable(Math.max(MIN_SLOTS, Integer.highestOneBit(Math.max(1, size)) * 2));
        for (int at = 0; at < table.length; at += STRIDE) {
            long head = table[at];
            if (head != 0) {
                coarse.change(LogOddsGrid.relevel(keyOf(head), from, to), table[at + POS], table[at + NEG],
                        singleOf(head));
            }
        }
        return coarse;
    }

    /** Grows until {@code more} new cells fit with no growing on the way. */
    void reserve(int more) {
        while ((size + (long) more) * 4 > (mask + 1L) * 3 && mask + 1 < MAX_SLOTS) {
            grow();
        }
    }

    /**
     * The occupied slots as {@code key << 32 | slot}, ascending by key (keys are non-negative); read them
     * with {@link #sortedKey} and {@link #sortedSlot}.
     */
    long[] sortedCells() {
        long[] cells = new long[size];
        int i = 0;
        for (int at = 0, slot = 0; at < table.length; at += STRIDE, slot++) {
            long head = table[at];
            if (head != 0) {
                cells[i++] = (long) keyOf(head) << 32 | slot;
            }
        }
        return CellSort.byKey(cells);
    }

    /**
     * The cells in ascending key order with their counts, and the {@link #mixedPairs()}, from one pass over the
     * table: a report needs both, and the table of a full sketch (megabytes) is the larger part of reading them. The
     * counts are copied out next to each other in a compact array, so that reading them in key order after the sort
     * jumps around an array of 16 bytes a cell instead of the table's slots.
     */
    SortedCells sortedWithMixedPairs() {
        long[] order = new long[size];
        long[] counts = new long[2 * size];
        int i = 0;
        long pairsHi = 0;
        long pairsLo = 0;
        for (int at = 0; at < table.length; at += STRIDE) {
            long head = table[at];
            if (head != 0) {
                long negatives = table[at + NEG];
                long positives = table[at + POS];
                order[i] = (long) keyOf(head) << 32 | i;
                counts[2 * i] = negatives;
                counts[2 * i + 1] = positives;
                i++;
                if (singleOf(head) == MIXED) {
                    long low = pairsLo + positives * negatives;
                    pairsHi += Math.multiplyHigh(positives, negatives) + (Long.compareUnsigned(low, pairsLo) < 0 ? 1 : 0);
                    pairsLo = low;
                }
            }
        }
        return new SortedCells(CellSort.byKey(order), counts, new Int128(pairsHi, pairsLo));
    }

    /**
     * Cells in ascending key order: {@code order[j]} is {@code key << 32 | i}, and cell i's negative and positive
     * counts are {@code counts[2 i]} and {@code counts[2 i + 1]}; with the table's {@link #mixedPairs()}.
     */
    record SortedCells(long[] order, long[] counts, Int128 mixedPairs) {
    }

    /** The (positive, negative) pairs that share a mixed cell: the sum of their count products. */
    Int128 mixedPairs() {
        // Two longs, not an Int128 per cell: a full table has 100,000 cells, summed for every report.
        long hi = 0;
        long lo = 0;
        for (int at = 0; at < table.length; at += STRIDE) {
            long head = table[at];
            if (head != 0 && singleOf(head) == MIXED) {
                long positives = table[at + POS];
                long negatives = table[at + NEG];
                long low = lo + positives * negatives;
                hi += Math.multiplyHigh(positives, negatives) + (Long.compareUnsigned(low, lo) < 0 ? 1 : 0);
                lo = low;
            }
        }
        return new Int128(hi, lo);
    }

    static int sortedKey(long sortedCell) {
        return (int) (sortedCell >>> 32);
    }

    static int sortedSlot(long sortedCell) {
        return (int) sortedCell;
    }

    private static long head(int key, int single) {
        return (long) (key + 1) << 32 | (single & 0xFFFF_FFFFL);
    }

    private static int keyOf(long head) {
        return (int) (head >>> 32) - 1;
    }

    private static int singleOf(long head) {
        return (int) head;
    }

    private static int hash(int key) {
        // MurmurHash3's finalizer: neighbouring keys land far apart.
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        mask = mask * 2 + 1;
        for (int at = 0; at < old.length; at += STRIDE) {
            long head = old[at];
            if (head != 0) {
                // Keys are distinct: each cell goes to the first free slot from its home, as it is.
                int slot = hash(keyOf(head)) & mask;
                while (table[slot * STRIDE] != 0) {
                    slot = (slot + 1) & mask;
                }
                int to = slot * STRIDE;
                table[to] = head;
                table[to + NEG] = old[at + NEG];
                table[to + POS] = old[at + POS];
            }
        }
    }

    /** Linear-probing deletion by backward shift: each later cell of the run that may move back does. */
    private void delete(int slot) {
        int hole = slot;
        for (int next = (hole + 1) & mask; ; next = (next + 1) & mask) {
            long head = table[next * STRIDE];
            if (head == 0) {
                break;
            }
            int home = hash(keyOf(head)) & mask;
            // Move the entry back if its home is not in the cyclic range (hole, next].
            boolean homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
            if (!homeInRange) {
                int from = next * STRIDE;
                int to = hole * STRIDE;
                table[to] = head;
                table[to + NEG] = table[from + NEG];
                table[to + POS] = table[from + POS];
                hole = next;
            }
        }
        int at = hole * STRIDE;
        table[at] = 0;
        table[at + NEG] = 0;
        table[at + POS] = 0;
        size--;
    }
}

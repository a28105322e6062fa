package io.cifarstream.metrics;

/**
 * The score-to-cell map of a {@link RocSketch} at each level (see its class doc for the maths): a score
 * {@code p} is keyed by {@code q = min(p, 1 - p)} and its side of 1/2, and its cell at level {@code b}
 * is the float32 bit pattern of {@code q} shifted right by {@code b}, numbered so that cell ordinals
 * ascend with the score. Level 0 is one cell per float32 score; each level merges pairs of
 * neighbouring cells, so levels nest.
 */
final class LogOddsGrid {

    /** Bit pattern of 0.5f; every q = min(p, 1 - p) has a pattern at or below it. */
    private static final int HALF_BITS = Float.floatToRawIntBits(0.5f);
    /** At this level each side of 1/2 is one cell, so any limit of at least 2 is reachable. */
    static final int MAX_LEVEL = 31 - Integer.numberOfLeadingZeros(HALF_BITS) + 1;

    private LogOddsGrid() {
    }

    /** The cell ordinal of a score in [0, 1] at a level; monotone non-decreasing in the score. */
    static int cellOf(float score, int level) {
        if (score <= 0.5f) {
            // + 0.0f turns -0.0f into 0.0f, whose pattern is 0.
            return Float.floatToRawIntBits(score + 0.0f) >>> level;
        }
        int fromOne = Float.floatToRawIntBits(1f - score) >>> level;
        return upper(fromOne, level);
    }

    /** Above 1/2 the cells count down from the top: the smaller 1 - p, the higher the ordinal. */
    private static int upper(int fromOne, int level) {
        return 2 * (HALF_BITS >>> level) + 1 - fromOne;
    }

    /** The highest cell ordinal at a level, that of the score 1. */
    static long maxCell(int level) {
        return 2L * (HALF_BITS >>> level) + 1;
    }

    /** The ordinal at {@code to} (&ge; {@code from}) of the cell holding ordinal {@code key} at {@code from}. */
    static int relevel(int key, int from, int to) {
        if (from == to) {
            return key;
        }
        int lowerMax = HALF_BITS >>> from;
        if (key <= lowerMax) {
            return key >>> (to - from);
        }
        int fromOne = 2 * lowerMax + 1 - key;
        return upper(fromOne >>> (to - from), to);
    }

    /**
     * The position of the level-0 key {@code scoreKey} inside its cell at {@code level}: the low
     * {@code level} bits of the float32 pattern of its {@code q}, {@code 0 .. 2^level - 1}.
     */
    static int offsetInCell(int scoreKey, int level) {
        int fromBottom = scoreKey <= HALF_BITS ? scoreKey : 2 * HALF_BITS + 1 - scoreKey;
        return fromBottom & ((1 << level) - 1);
    }

    /** The level-0 key at {@code offset} inside cell {@code key} of {@code level}; inverse of offsetInCell. */
    static int scoreKey(int key, int level, int offset) {
        int lowerMax = HALF_BITS >>> level;
        if (key <= lowerMax) {
            return (key << level) | offset;
        }
        int fromOne = 2 * lowerMax + 1 - key;
        return upper((fromOne << level) | offset, 0);
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LogOddsGridTest {

    /** Scores in ascending order, from 0 to 1: random ones and the edge cases. */
    private static float[] sortedScores() {
        Random random = new Random(13);
        float[] scores = new float[4_000];
        for (int i = 0; i < scores.length; i++) {
            double logOdds = random.nextGaussian() * 20;
            scores[i] = switch (i % 4) {
                case 0 -> random.nextFloat();
                case 1 -> (float) (1 / (1 + Math.exp(-logOdds)));
                case 2 -> Float.intBitsToFloat(random.nextInt(Float.floatToRawIntBits(0.5f) + 1));
                default -> 1f - Float.intBitsToFloat(random.nextInt(Float.floatToRawIntBits(0.5f) + 1));
            };
        }
        float[] edges = {0f, Float.MIN_VALUE, 0.5f, Math.nextDown(0.5f), Math.nextUp(0.5f), Math.nextDown(1f), 1f};
        float[] all = Arrays.copyOf(scores, scores.length + edges.length);
        System.arraycopy(edges, 0, all, scores.length, edges.length);
        Arrays.sort(all);
        return all;
    }

    @Test
    void cellsAscendWithTheScoreAtEveryLevel() {
        float[] scores = sortedScores();
        for (int level = 0; level <= LogOddsGrid.MAX_LEVEL; level++) {
            for (int i = 1; i < scores.length; i++) {
                assertThat(LogOddsGrid.cellOf(scores[i], level))
                        .as("level %d, %s after %s", level, scores[i], scores[i - 1])
                        .isGreaterThanOrEqualTo(LogOddsGrid.cellOf(scores[i - 1], level));
            }
        }
    }

    @Test
    void levelZeroTellsEveryFloatApart() {
        float[] scores = sortedScores();
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] != scores[i - 1]) {
                assertThat(LogOddsGrid.cellOf(scores[i], 0)).isGreaterThan(LogOddsGrid.cellOf(scores[i - 1], 0));
            }
        }
        assertThat(LogOddsGrid.cellOf(-0.0f, 0)).isEqualTo(LogOddsGrid.cellOf(0f, 0)).isZero();
    }

    /** A score's cell at a coarser level is its finer cell, relevelled: levels nest. */
    @Test
    void levelsNest() {
        for (float score : sortedScores()) {
            for (int from = 0; from <= LogOddsGrid.MAX_LEVEL; from += 3) {
                for (int to = from; to <= LogOddsGrid.MAX_LEVEL; to++) {
                    assertThat(LogOddsGrid.relevel(LogOddsGrid.cellOf(score, from), from, to))
                            .as("%s from %d to %d", score, from, to)
                            .isEqualTo(LogOddsGrid.cellOf(score, to));
                }
            }
        }
    }

    @Test
    void cellsRunFromZeroToMaxCellAndTheTopLevelHasOneCellPerSide() {
        for (int level = 0; level <= LogOddsGrid.MAX_LEVEL; level++) {
            assertThat(LogOddsGrid.cellOf(0f, level)).isZero();
            assertThat((long) LogOddsGrid.cellOf(1f, level)).isEqualTo(LogOddsGrid.maxCell(level));
        }
        int top = LogOddsGrid.MAX_LEVEL;
        assertThat(LogOddsGrid.cellOf(0.5f, top)).isZero();
        assertThat(LogOddsGrid.cellOf(Math.nextUp(0.5f), top)).isEqualTo(1);
        assertThat(LogOddsGrid.maxCell(top)).isEqualTo(1);
    }

    /** A score's offset in its cell names it back: the codec stores a single cell's score this way. */
    @Test
    void theOffsetInACellGivesBackTheScoreKey() {
        for (float score : sortedScores()) {
            int scoreKey = LogOddsGrid.cellOf(score, 0);
            for (int level = 0; level <= LogOddsGrid.MAX_LEVEL; level++) {
                int offset = LogOddsGrid.offsetInCell(scoreKey, level);
                assertThat(offset).isBetween(0, (1 << level) - 1);
                assertThat(LogOddsGrid.scoreKey(LogOddsGrid.cellOf(score, level), level, offset))
                        .as("%s at level %d", score, level)
                        .isEqualTo(scoreKey);
            }
        }
    }
}

package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CellTableTest {

    /** What a cell should hold: the counts and its single score. */
    private static final class Expected {
        long positives;
        long negatives;
        int single;

        Expected(int single) {
            this.single = single;
        }
    }

    @Test
    void aNewTableIsEmpty() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        assertThat(table.size()).isZero();
        assertThat(table.slotCount()).isEqualTo(CellTable.MIN_SLOTS);
        for (int slot = 0; slot < table.slotCount(); slot++) {
            assertThat(table.isFree(slot)).isTrue();
        }
        assertThat(table.find(0)).isEqualTo(-1);
        assertThat(table.count(0, true)).isZero();
        assertThat(table.sortedCells()).isEmpty();
    }

    @Test
    void slotsMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new CellTable(12)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CellTable(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void changeCreatesAddsToAndDeletesACell() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        table.change(7, 1, 0, 70);
        table.change(7, 0, 2, 70);
        int slot = table.find(7);
        assertThat(slot).isNotNegative();
        assertThat(table.key(slot)).isEqualTo(7);
        assertThat(table.positives(slot)).isEqualTo(1);
        assertThat(table.negatives(slot)).isEqualTo(2);
        assertThat(table.single(slot)).isEqualTo(70);
        assertThat(table.size()).isEqualTo(1);
        table.change(7, -1, -2, 70);
        assertThat(table.find(7)).isEqualTo(-1);
        assertThat(table.size()).isZero();
    }

    @Test
    void aCellBecomesMixedAtItsSecondScoreAndStaysMixed() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        table.change(3, 1, 0, 30);
        table.change(3, 0, 1, 31);
        assertThat(table.single(table.find(3))).isEqualTo(CellTable.MIXED);
        // Removing the second score's record does not un-mix the cell: the error bound stays safe.
        assertThat(table.removeOne(3, false)).isTrue();
        assertThat(table.single(table.find(3))).isEqualTo(CellTable.MIXED);
        table.change(3, 1, 0, 30);
        assertThat(table.single(table.find(3))).isEqualTo(CellTable.MIXED);
    }

    @Test
    void mixedPairsCountOnlyTheCellsThatHeldTwoScores() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        assertThat(table.mixedPairs()).isEqualTo(Int128.ZERO);
        table.change(1, 3, 4, 10); // single: its ties are genuine, no pair counts
        table.change(2, 2, 0, 20);
        table.change(2, 0, 5, 21); // mixed: 2 x 5 pairs
        table.change(3, 1, 0, 30);
        table.change(3, 0, 1, 31); // mixed: 1 x 1
        table.change(4, Long.MAX_VALUE / 2, 0, 40);
        table.change(4, 0, 4, 41); // mixed: a product past a long
        assertThat(table.mixedPairs()).isEqualTo(Int128.product(Long.MAX_VALUE / 2, 4).plus(10 + 1));
    }

    @Test
    void removeOneRefusesWhatIsNotThereAndChangesNothing() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        table.change(5, 0, 1, 50);
        assertThat(table.removeOne(5, true)).isFalse();
        assertThat(table.removeOne(6, false)).isFalse();
        assertThat(table.count(5, false)).isEqualTo(1);
        assertThat(table.count(5, true)).isZero();
        assertThat(table.removeOne(5, false)).isTrue();
        assertThat(table.size()).isZero();
        assertThat(table.find(5)).isEqualTo(-1);
    }

    @Test
    void countsThatOverflowAreRefused() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        table.change(1, Long.MAX_VALUE, 0, 10);
        assertThatThrownBy(() -> table.change(1, 1, 0, 10)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void growsPastThreeQuartersAndKeepsEveryCell() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        for (int key = 0; key < 12; key++) {
            table.change(key, key, 1, key);
        }
        assertThat(table.slotCount()).isEqualTo(16);
        table.change(12, 12, 1, 12);
        assertThat(table.slotCount()).isEqualTo(32);
        for (int key = 0; key <= 12; key++) {
            int slot = table.find(key);
            assertThat(table.positives(slot)).isEqualTo(key);
            assertThat(table.negatives(slot)).isEqualTo(1);
            assertThat(table.single(slot)).isEqualTo(key);
        }
    }

    @Test
    void reserveMakesRoomSoThatNoCellIsMovedOnTheWay() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        table.change(0, 1, 0, 0);
        table.reserve(1_000);
        int slots = table.slotCount();
        assertThat((1 + 1_000) * 4L).isLessThanOrEqualTo(slots * 3L);
        assertThat((1 + 1_000) * 4L).isGreaterThan(slots / 2 * 3L);
        for (int key = 1; key <= 1_000; key++) {
            table.change(key, 1, 0, key);
        }
        assertThat(table.slotCount()).isEqualTo(slots);
        assertThat(table.size()).isEqualTo(1_001);
    }

    /** Cells that meet at the coarser level add up; one that meets none keeps its single score. */
    @Test
    void coarsenedMergesCellsThatMeetAtTheCoarserLevel() {
        // An even bit pattern and the next float share their cell from level 1 on.
        float a = Float.intBitsToFloat(Float.floatToRawIntBits(0.3f) & ~1);
        float b = Math.nextUp(a);
        float lone = 0.9f;
        int level = 1;
        assertThat(LogOddsGrid.cellOf(a, 0)).isNotEqualTo(LogOddsGrid.cellOf(b, 0));
        assertThat(LogOddsGrid.cellOf(a, level)).isEqualTo(LogOddsGrid.cellOf(b, level));
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        for (float score : new float[] {a, b, lone}) {
            int key = LogOddsGrid.cellOf(score, 0);
            table.change(key, score == b ? 0 : 1, 1, key);
        }
        CellTable coarse = table.coarsened(0, level);
        assertThat(coarse.size()).isEqualTo(2);
        assertThat(table.size()).isEqualTo(3);
        int pair = coarse.find(LogOddsGrid.cellOf(a, level));
        assertThat(coarse.positives(pair)).isEqualTo(1);
        assertThat(coarse.negatives(pair)).isEqualTo(2);
        assertThat(coarse.single(pair)).isEqualTo(CellTable.MIXED);
        int alone = coarse.find(LogOddsGrid.cellOf(lone, level));
        assertThat(coarse.positives(alone)).isEqualTo(1);
        assertThat(coarse.single(alone)).isEqualTo(LogOddsGrid.cellOf(lone, 0));
    }

    @Test
    void aCopyIsIndependent() {
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        table.change(4, 1, 1, 40);
        CellTable copy = table.copy();
        copy.change(4, 1, 0, 41);
        copy.change(9, 0, 1, 90);
        assertThat(table.count(4, true)).isEqualTo(1);
        assertThat(table.single(table.find(4))).isEqualTo(40);
        assertThat(table.find(9)).isEqualTo(-1);
        assertThat(copy.count(4, true)).isEqualTo(2);
        assertThat(copy.single(copy.find(4))).isEqualTo(CellTable.MIXED);
    }

    /**
     * Random adds and removes over a key range that keeps the table full to 3/4 between growths: long
     * probe runs that wrap around the end, so backward-shift deletion moves cells across the wrap. After
     * every step the table holds exactly what a map holds.
     */
    @Test
    void matchesAMapUnderRandomAddsAndRemoves() {
        Random random = new Random(42);
        CellTable table = new CellTable(CellTable.MIN_SLOTS);
        Map<Integer, Expected> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            int key = random.nextInt(step < 10_000 ? 40 : 400);
            boolean positive = random.nextBoolean();
            Expected cell = model.get(key);
            if (random.nextInt(5) < 2) {
                long held = cell == null ? 0 : positive ? cell.positives : cell.negatives;
                assertThat(table.removeOne(key, positive)).isEqualTo(held > 0);
                if (held > 0) {
                    if (positive) {
                        cell.positives--;
                    } else {
                        cell.negatives--;
                    }
                    if (cell.positives == 0 && cell.negatives == 0) {
                        model.remove(key);
                    }
                }
            } else {
                int single = key * 4 + random.nextInt(2);
                table.change(key, positive ? 1 : 0, positive ? 0 : 1, single);
                if (cell == null) {
                    model.put(key, cell = new Expected(single));
                } else if (cell.single != single) {
                    cell.single = CellTable.MIXED;
                }
                if (positive) {
                    cell.positives++;
                } else {
                    cell.negatives++;
                }
            }
            if (step % 97 == 0) {
                assertHolds(table, model);
            }
        }
        assertHolds(table, model);
    }

    /** Cells filled in one order and emptied in another: every deletion leaves the others findable. */
    @Test
    void deletingInAnyOrderLeavesTheOtherCellsFindable() {
        Random random = new Random(4);
        for (int round = 0; round < 200; round++) {
            CellTable table = new CellTable(CellTable.MIN_SLOTS);
            List<Integer> keys = new ArrayList<>();
            while (keys.size() < 12) {
                int key = random.nextInt(1 << 20);
                if (!keys.contains(key)) {
                    keys.add(key);
                    table.change(key, 0, 1, key);
                }
            }
            assertThat(table.slotCount()).isEqualTo(CellTable.MIN_SLOTS);
            Collections.shuffle(keys, random);
            for (int i = 0; i < keys.size(); i++) {
                assertThat(table.removeOne(keys.get(i), false)).isTrue();
                assertThat(table.find(keys.get(i))).isEqualTo(-1);
                for (int j = i + 1; j < keys.size(); j++) {
                    assertThat(table.count(keys.get(j), false)).as("round %d", round).isEqualTo(1);
                }
            }
            assertThat(table.size()).isZero();
        }
    }

    private static void assertHolds(CellTable table, Map<Integer, Expected> model) {
        assertThat(table.size()).isEqualTo(model.size());
        long[] sorted = table.sortedCells();
        assertThat(sorted).hasSize(model.size());
        int previousKey = -1;
        for (long cell : sorted) {
            int key = CellTable.sortedKey(cell);
            int slot = CellTable.sortedSlot(cell);
            assertThat(key).isGreaterThan(previousKey);
            previousKey = key;
            assertThat(table.find(key)).isEqualTo(slot);
            Expected expected = model.get(key);
            assertThat(expected).as("key %d", key).isNotNull();
            assertThat(table.key(slot)).isEqualTo(key);
            assertThat(table.positives(slot)).isEqualTo(expected.positives);
            assertThat(table.negatives(slot)).isEqualTo(expected.negatives);
            assertThat(table.single(slot)).isEqualTo(expected.single);
        }
        int occupied = 0;
        for (int slot = 0; slot < table.slotCount(); slot++) {
            occupied += table.isFree(slot) ? 0 : 1;
        }
        assertThat(occupied).isEqualTo(model.size());
    }
}

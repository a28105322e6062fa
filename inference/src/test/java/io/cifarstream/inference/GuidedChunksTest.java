package io.cifarstream.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class GuidedChunksTest {

    @Test
    void oneLaneTakesFullChunksInOrderAndALastPartialOne() {
        assertThat(sizes(new GuidedChunks(70, 1, 32))).containsExactly(32, 32, 6);
    }

    @Test
    void twoLanesTakeAQuarterOfWhatIsLeftAtMostTheirCapacitySoChunksShrinkTowardsTheEnd() {
        // 256 left: min(32, ceil(256/4)) = 32 ... until fewer than 128 are left, then ceil(left/4).
        List<Integer> sizes = sizes(new GuidedChunks(256, 2, 32));
        assertThat(sizes).startsWith(32, 32, 32, 32);
        assertThat(sizes.subList(4, sizes.size())).containsExactly(32, 24, 18, 14, 10, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(256);
    }

    @Test
    void chunksCoverEveryImageOnceWithoutGapsWhateverTheSizes() {
        for (int count : new int[] {0, 1, 5, 31, 32, 33, 255, 1000}) {
            for (int lanes = 1; lanes <= 4; lanes++) {
                GuidedChunks chunks = new GuidedChunks(count, lanes, 32);
                int expectedFirst = 0;
                for (long chunk = chunks.next(); chunk != GuidedChunks.NONE; chunk = chunks.next()) {
                    assertThat(GuidedChunks.first(chunk)).isEqualTo(expectedFirst);
                    assertThat(GuidedChunks.size(chunk)).isBetween(1, 32);
                    expectedFirst += GuidedChunks.size(chunk);
                }
                assertThat(expectedFirst).as("%d images on %d lanes", count, lanes).isEqualTo(count);
            }
        }
    }

    @Test
    void anAbandonedCallHandsOutNothingMore() {
        GuidedChunks chunks = new GuidedChunks(100, 2, 32);
        assertThat(chunks.next()).isNotEqualTo(GuidedChunks.NONE);
        chunks.abandon();
        assertThat(chunks.next()).isEqualTo(GuidedChunks.NONE);
    }

    private static List<Integer> sizes(GuidedChunks chunks) {
        List<Integer> sizes = new ArrayList<>();
        for (long chunk = chunks.next(); chunk != GuidedChunks.NONE; chunk = chunks.next()) {
            sizes.add(GuidedChunks.size(chunk));
        }
        return sizes;
    }
}

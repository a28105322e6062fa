package io.cifarstream.metrics;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The byte format is what Kafka changelogs hold: these tests pin it to the byte, and a state stored
 * before must read back as the same state.
 */
class RocSketchCodecTest {

    /** {@link RocSketchTest#tiedExample()}: exact, three cells, no score codes. */
    private static final String TIED = "01a08d0600039ab3e6f4030001e6cc99030201b5e6cc050100";
    /** Level 5: a mixed cell (code 0) and single cells below and above 1/2 (their codes name the score). */
    private static final String CLUSTER = "01080504e6cca90f00010e808020020400cf992301011bb8bd34010001";
    /** Limit 2, level 30: every score below 1/2 shares one mixed cell. */
    private static final String ONE_CELL_A_SIDE = "01021e0200020200010100d199b3ee03";

    private static RocSketch cluster() {
        RocSketch sketch = new RocSketch(8);
        float score = 0.2f;
        for (int i = 0; i < 6; i++) {
            sketch.add(score, i % 3 == 0);
            score = Math.nextUp(score);
        }
        sketch.add(0.05f, false);
        sketch.add(0.7f, true);
        sketch.add(0.7f, false);
        sketch.add(0.97f, true);
        return sketch;
    }

    private static RocSketch oneCellASide() {
        RocSketch sketch = new RocSketch(2);
        float[] values = {0.01f, 0.02f, 0.03f, 0.04f};
        for (int i = 0; i < values.length; i++) {
            sketch.add(values[i], i >= 2);
        }
        sketch.add(0.9f, true);
        return sketch;
    }

    private static RocSketch random(int limit) {
        Random random = new Random(9);
        RocSketch sketch = new RocSketch(limit);
        for (int i = 0; i < 10_000; i++) {
            sketch.add((float) (1 / (1 + Math.exp(-random.nextGaussian() * 6))), random.nextBoolean());
        }
        return sketch;
    }

    @Test
    void writesThePinnedBytes() {
        assertThat(hex(RocSketchTest.tiedExample().toBytes())).isEqualTo(TIED);
        assertThat(hex(cluster().toBytes())).isEqualTo(CLUSTER);
        assertThat(hex(oneCellASide().toBytes())).isEqualTo(ONE_CELL_A_SIDE);
        assertThat(cluster().level()).isEqualTo(5);
    }

    @Test
    void writesThePinnedBytesOfLargeSketches() {
        RocSketch exact = random(RocSketch.DEFAULT_CELL_LIMIT);
        byte[] exactBytes = exact.toBytes();
        assertThat(exact.level()).isZero();
        assertThat(exactBytes).hasSize(44_102);
        assertThat(sha256(exactBytes)).isEqualTo("2da24d782692782f666f7fd0f139396860226f7f0d81b5125590e9f0c17dc330");
        RocSketch coarse = random(500);
        byte[] coarseBytes = coarse.toBytes();
        assertThat(coarse.level()).isEqualTo(20);
        assertThat(coarseBytes).hasSize(1_522);
        assertThat(sha256(coarseBytes)).isEqualTo("fa4e6b3491ae622b626c69e2a9a9a60dc0f3c02bc2ac18996bd771a05a031b32");
    }

    @Test
    void readsThePinnedBytesBackAsTheSameState() {
        assertReadsBackAs(TIED, RocSketchTest.tiedExample(), 5.0 / 6);
        assertReadsBackAs(CLUSTER, cluster(), 0.7291666666666666);
        assertReadsBackAs(ONE_CELL_A_SIDE, oneCellASide(), 2.0 / 3);
    }

    private static void assertReadsBackAs(String hex, RocSketch expected, double auc) {
        RocSketch read = RocSketchCodec.fromBytes(HexFormat.of().parseHex(hex));
        assertThat(read.auc()).isEqualTo(auc).isEqualTo(expected.auc());
        assertThat(read.aucErrorBound()).isEqualTo(expected.aucErrorBound());
        assertThat(read.level()).isEqualTo(expected.level());
        assertThat(read.cellLimit()).isEqualTo(expected.cellLimit());
        assertThat(read.positives()).isEqualTo(expected.positives());
        assertThat(read.negatives()).isEqualTo(expected.negatives());
        assertThat(read.curve()).isEqualTo(expected.curve());
        assertThat(hex(RocSketchCodec.toBytes(read))).isEqualTo(hex);
        assertThat(RocSketchCodec.sizeBytes(read)).isEqualTo(hex.length() / 2);
    }

    /** A single cell read back stays single: adding its own score again keeps the bytes' single code. */
    @Test
    void aSingleCellReadBackKnowsItsScore() {
        RocSketch read = RocSketchCodec.fromBytes(HexFormat.of().parseHex(CLUSTER));
        RocSketch original = cluster();
        read.add(0.97f, false);
        original.add(0.97f, false);
        assertThat(read.toBytes()).isEqualTo(original.toBytes());
        assertThat(read.aucErrorBound()).isEqualTo(original.aucErrorBound());
    }

    @Test
    void readFromStopsAfterTheSketch() {
        byte[] sketch = HexFormat.of().parseHex(CLUSTER);
        ByteBuffer in = ByteBuffer.allocate(sketch.length + 3).put(sketch).put(new byte[] {7, 8, 9}).flip();
        RocSketch read = RocSketchCodec.readFrom(in);
        assertThat(in.position()).isEqualTo(sketch.length);
        assertThat(read.toBytes()).isEqualTo(sketch);
    }

    @Test
    void rejectsStatesNoSketchCanHave() {
        // format 1, limit 2, level 0, 1 cell: key 5, counts 0 and 0.
        assertThatThrownBy(() -> RocSketchCodec.fromBytes(new byte[] {1, 2, 0, 1, 5, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid counts");
        // 3 cells over a limit of 2.
        assertThatThrownBy(() -> RocSketchCodec.fromBytes(new byte[] {1, 2, 0, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above its limit");
        // Level 31, past the top level.
        assertThatThrownBy(() -> RocSketchCodec.fromBytes(new byte[] {1, 2, 31, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("level 31");
        // Limit 1.
        assertThatThrownBy(() -> RocSketchCodec.fromBytes(new byte[] {1, 1, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cellLimit");
        // Two cells with the same key (a zero delta).
        assertThatThrownBy(() -> RocSketchCodec.fromBytes(new byte[] {1, 4, 0, 2, 5, 1, 0, 0, 1, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
        // Level 1: a cell holds 2 scores, so codes 0 to 2; 3 is none.
        assertThatThrownBy(() -> RocSketchCodec.fromBytes(new byte[] {1, 2, 1, 1, 5, 1, 0, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("score code");
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

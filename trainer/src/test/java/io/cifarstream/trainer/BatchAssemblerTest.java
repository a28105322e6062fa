package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import io.cifarstream.schemas.CifarShape;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {
    private static final int IMAGE = CifarShape.PIXELS;

    private static byte[] images(int count) {
        byte[] pixels = new byte[count * IMAGE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + i / 7);
        }
        return pixels;
    }

    @Test
    void withoutAugmentationEveryPixelIsNormalizedPerChannelAndLaidOutChannelsLast() {
        Normalization n = new Normalization(new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.25f, 0.3f});
        byte[] pixels = images(3);
        FloatBuffer batch = new BatchAssembler(n, 2, 0, false, 0).images(pixels, 1, 2).asFloatBuffer();
        assertThat(batch.remaining()).isEqualTo(2 * IMAGE);
        for (int image = 0; image < 2; image++) {
            for (int channel = 0; channel < 3; channel++) {
                for (int pixel = 0; pixel < CifarShape.PLANE; pixel++) {
                    int source = (1 + image) * IMAGE + channel * CifarShape.PLANE + pixel;
                    double expected = ((pixels[source] & 0xff) / 255.0 - n.mean()[channel]) / n.std()[channel];
                    assertThat(batch.get(image * IMAGE + pixel * 3 + channel))
                            .isCloseTo((float) expected, offset(1e-5f));
                }
            }
        }
    }

    @Test
    void augmentedImagesAreShiftedAndMaybeMirroredCopiesPaddedWithBlack() {
        Normalization n = Normalization.half();
        byte[] pixels = images(1);
        BatchAssembler assembler = new BatchAssembler(n, 1, 4, true, 0);
        SplitMix64 random = new SplitMix64(11);
        float black = -1f; // (0/255 - 0.5) / 0.5
        for (int trial = 0; trial < 20; trial++) {
            FloatBuffer out = assembler.images(pixels, new int[] {0}, 0, 1, random).asFloatBuffer();
            assertThat(matchesSomeShift(pixels, out, black)).as("trial " + trial).isTrue();
        }
    }

    /** True when {@code out} equals the image shifted by some (dy, dx) in [-4, 4]^2, mirrored or not. */
    private static boolean matchesSomeShift(byte[] pixels, FloatBuffer out, float black) {
        for (int dy = -4; dy <= 4; dy++) {
            for (int dx = -4; dx <= 4; dx++) {
                for (boolean mirror : new boolean[] {false, true}) {
                    boolean all = true;
                    for (int c = 0; c < 3 && all; c++) {
                        for (int y = 0; y < 32 && all; y++) {
                            for (int x = 0; x < 32 && all; x++) {
                                int sy = y + dy;
                                int sx = (mirror ? 31 - x : x) + dx;
                                float expected = sy < 0 || sy > 31 || sx < 0 || sx > 31 ? black
                                        : (pixels[c * 1024 + sy * 32 + sx] & 0xff) / 127.5f - 1f;
                                all = Math.abs(out.get((y * 32 + x) * 3 + c) - expected) < 1e-5;
                            }
                        }
                    }
                    if (all) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void targetsAreOneHotSmoothedTowardsUniform() {
        BatchAssembler assembler = new BatchAssembler(Normalization.half(), 2, 0, false, 0.1);
        FloatBuffer targets = assembler.targets(new byte[] {3, 7, 1}, new int[] {2, 0}, 0, 2).asFloatBuffer();
        assertThat(targets.remaining()).isEqualTo(20);
        assertThat(targets.get(1)).isCloseTo(0.91f, offset(1e-6f));
        assertThat(targets.get(0)).isCloseTo(0.01f, offset(1e-6f));
        assertThat(targets.get(13)).isCloseTo(0.91f, offset(1e-6f));
        float sum = 0;
        for (int i = 0; i < 10; i++) {
            sum += targets.get(i);
        }
        assertThat(sum).isCloseTo(1f, offset(1e-6f));
    }

    @Test
    void batchesComeInOneReusedDirectNativeOrderBufferThatDjlWrapsWithoutCopying() {
        BatchAssembler assembler = new BatchAssembler(Normalization.half(), 4, 4, true, 0);
        ByteBuffer first = assembler.images(images(4), new int[] {0, 1, 2, 3}, 0, 4, new SplitMix64(3));
        ByteBuffer second = assembler.images(images(4), new int[] {3, 2}, 0, 2, new SplitMix64(4));
        ByteBuffer targets = assembler.targets(new byte[] {1, 2, 3, 4}, new int[] {0, 1, 2}, 0, 3);

        assertThat(second).isSameAs(first);
        assertThat(second.isDirect()).isTrue();
        assertThat(second.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(second.position()).isZero();
        assertThat(second.limit()).isEqualTo(2 * CifarShape.PIXELS * Float.BYTES);
        assertThat(targets.isDirect()).isTrue();
        assertThat(targets.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(targets.position()).isZero();
        assertThat(targets.limit()).isEqualTo(3 * CifarShape.CLASSES * Float.BYTES);
    }
}

package io.cifarstream.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.schemas.CifarShape;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corruption at every severity against the benchmark's own formulas run in Python (numpy, scipy, skimage,
 * Pillow) on the first 20 real test images: dataset/src/test/python/make_cifar10c_fixture.py wrote the fixture.
 * Deterministic corruptions are compared pixel by pixel; noise, which no two generators draw alike, by the
 * statistics of what it does to the images, against the spread of those statistics over 20 reference draws.
 */
class CorruptionReferenceTest {
    private static final String FIXTURE = "/io/cifarstream/dataset/cifar10c/";
    /** A noise statistic may sit this many reference standard deviations from the reference mean. */
    private static final double SIGMAS = 5;

    static JsonNode reference;
    static CifarImages clean;
    static byte[] expectedDeterministic;

    @BeforeAll
    static void readFixtureAndImages() throws IOException {
        reference = new ObjectMapper().readTree(resource("reference.json"));
        try (InputStream in = new GZIPInputStream(resource("deterministic.u8.gz"))) {
            expectedDeterministic = in.readAllBytes();
        }
        clean = Cifar10.open(SharedCifarCopy.location()).test().first(reference.get("images").size());
    }

    private static InputStream resource(String name) {
        InputStream in = CorruptionReferenceTest.class.getResourceAsStream(FIXTURE + name);
        assertThat(in).as(FIXTURE + name).isNotNull();
        return in;
    }

    @Test
    void theReferenceCorruptedTheSameRealImages() {
        assertThat(reference.get("split").asText()).isEqualTo("test");
        for (int i = 0; i < clean.size(); i++) {
            assertThat(reference.get("images").get(i).asInt()).isEqualTo(i);
        }
        assertThat(SharedCifarCopy.md5(clean.pixels())).isEqualTo(reference.get("clean_md5").asText());
        assertThat(expectedDeterministic).hasSize(reference.get("deterministic").size() * clean.pixels().length);
    }

    static Stream<Arguments> deterministicBlocks() throws IOException {
        JsonNode blocks = new ObjectMapper().readTree(CorruptionReferenceTest.class
                .getResourceAsStream(FIXTURE + "reference.json")).get("deterministic");
        List<Arguments> all = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            all.add(Arguments.of(new Shift(Corruption.byId(blocks.get(b).get("corruption").asText()),
                    blocks.get(b).get("severity").asInt()), b));
        }
        return all.stream();
    }

    /**
     * Pixelate, brightness and saturate are computed as the reference computes them, operation by operation, and come
     * out identical. Contrast and defocus blur add the same terms in another order than numpy and scipy, so a value
     * that sits a rounding error from a whole number before truncation may come out one lower or higher (none does on
     * these images). JPEG is libjpeg on both sides with the same tables, subsampling and DCT, and is identical where
     * the JDK uses the system's libjpeg-turbo as Pillow does (Debian's); a JDK with its own libjpeg 6b may round the
     * odd value differently, hence a bound on the mean difference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("deterministicBlocks")
    void deterministicCorruptionsMatchTheReferencePixelByPixel(Shift shift, int block) {
        byte[] actual = new CorruptedImages(clean, shift, 0).all().pixels();
        int length = actual.length;
        int maxDifference = 0;
        long absoluteSum = 0;
        int differing = 0;
        for (int i = 0; i < length; i++) {
            int difference = Math.abs((actual[i] & 0xff) - (expectedDeterministic[block * length + i] & 0xff));
            maxDifference = Math.max(maxDifference, difference);
            absoluteSum += difference;
            differing += difference != 0 ? 1 : 0;
        }
        double meanAbsolute = (double) absoluteSum / length;
        System.out.printf(Locale.ROOT, "%-20s max |diff| %3d, mean |diff| %.5f, %5d of %d values differ%n", shift,
                maxDifference, meanAbsolute, differing, length);
        if (shift.corruption() == Corruption.JPEG_COMPRESSION) {
            assertThat(meanAbsolute).as("%s mean |diff|", shift).isLessThanOrEqualTo(0.05);
            assertThat(maxDifference).as("%s max |diff|", shift).isLessThanOrEqualTo(8);
        } else if (shift.corruption() == Corruption.CONTRAST || shift.corruption() == Corruption.DEFOCUS_BLUR) {
            assertThat(maxDifference).as("%s max |diff|", shift).isLessThanOrEqualTo(1);
            assertThat(differing).as("%s values off by one", shift).isLessThanOrEqualTo(length / 1000);
        } else {
            assertThat(differing).as("%s values that differ", shift).isZero();
        }
    }

    static Stream<Arguments> noiseCases() throws IOException {
        JsonNode noise = new ObjectMapper().readTree(CorruptionReferenceTest.class
                .getResourceAsStream(FIXTURE + "reference.json")).get("noise");
        List<Arguments> all = new ArrayList<>();
        for (JsonNode one : noise) {
            all.add(Arguments.of(new Shift(Corruption.byId(one.get("corruption").asText()), one.get("severity").asInt()),
                    one.get("statistics")));
        }
        return all.stream();
    }

    /**
     * One seeded draw over the 20 images is indistinguishable from the reference's draws: its residual mean and
     * spread (overall, on dark and on bright values) and its shares of 0s, 255s and untouched values each lie within
     * five standard deviations of the reference's 20 draws. A neighbouring severity's parameter would be tens of
     * standard deviations away.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("noiseCases")
    void noiseCorruptionsDrawTheReferenceDistribution(Shift shift, JsonNode expected) {
        Map<String, Double> actual = NoiseStatistics.of(clean.pixels(), new CorruptedImages(clean, shift, 7).all()
                .pixels());
        for (Map.Entry<String, Double> statistic : actual.entrySet()) {
            double mean = expected.get(statistic.getKey()).get("mean").asDouble();
            double std = expected.get(statistic.getKey()).get("std").asDouble();
            System.out.printf(Locale.ROOT, "%-16s %-20s %10.5f reference %10.5f +- %.5f (%.1f sd)%n", shift,
                    statistic.getKey(), statistic.getValue(), mean, std,
                    std > 0 ? (statistic.getValue() - mean) / std : 0.0);
            assertThat(statistic.getValue()).as("%s %s", shift, statistic.getKey())
                    .isBetween(mean - SIGMAS * std - 1e-9, mean + SIGMAS * std + 1e-9);
        }
    }

    /** The statistics the fixture script computes for one draw (its draw_statistics). */
    static final class NoiseStatistics {
        private NoiseStatistics() {
        }

        static Map<String, Double> of(byte[] clean, byte[] corrupted) {
            Moments all = new Moments();
            Moments dark = new Moments();
            Moments bright = new Moments();
            long zero = 0;
            long max = 0;
            long unchanged = 0;
            for (int i = 0; i < clean.length; i++) {
                int x = clean[i] & 0xff;
                int y = corrupted[i] & 0xff;
                int residual = y - x;
                all.add(residual);
                if (x < 64) {
                    dark.add(residual);
                }
                if (x >= 192) {
                    bright.add(residual);
                }
                zero += y == 0 ? 1 : 0;
                max += y == 255 ? 1 : 0;
                unchanged += y == x ? 1 : 0;
            }
            double n = clean.length;
            return Map.of("residual_mean", all.mean(), "residual_std", all.std(), "residual_std_dark", dark.std(),
                    "residual_std_bright", bright.std(), "share_zero", zero / n, "share_max", max / n,
                    "share_unchanged", unchanged / n);
        }
    }

    /** Mean and population standard deviation (numpy's default ddof=0) of whole numbers, exactly summed. */
    static final class Moments {
        private long count;
        private long sum;
        private long sumOfSquares;

        void add(long value) {
            count++;
            sum += value;
            sumOfSquares += value * value;
        }

        double mean() {
            return (double) sum / count;
        }

        double std() {
            double mean = mean();
            return Math.sqrt(Math.max(0, (double) sumOfSquares / count - mean * mean));
        }
    }

    @Test
    void everyCorruptionOfTheIssueIsCheckedAtEverySeverity() throws IOException {
        List<String> checked = new ArrayList<>();
        reference.get("deterministic").forEach(b -> checked.add(b.get("corruption").asText() + ":"
                + b.get("severity").asInt()));
        reference.get("noise").forEach(b -> checked.add(b.get("corruption").asText() + ":" + b.get("severity").asInt()));
        List<String> expected = new ArrayList<>();
        for (Corruption corruption : Corruption.values()) {
            for (int s = Corruption.MIN_SEVERITY; s <= Corruption.MAX_SEVERITY; s++) {
                expected.add(new Shift(corruption, s).toString());
            }
        }
        assertThat(checked).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(CifarShape.PIXELS * clean.size()).isEqualTo(clean.pixels().length);
    }
}

package io.cifarstream.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cifarstream.schemas.CifarShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Shifted copies of the real test split: reproducible from a seed image by image, in any order, quick enough for the
 * whole split, and writable in the official layout so that any CIFAR-10 reader takes them.
 */
class CorruptedImagesTest {
    static CifarImages test;

    @BeforeAll
    static void readTestSplit() throws IOException {
        test = Cifar10.open(SharedCifarCopy.location()).test();
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void theWholeTestSplitIsCorruptedInSecondsKeepingLabelsAndIds(Corruption corruption) {
        long start = System.nanoTime();
        CifarImages shifted = new CorruptedImages(test, new Shift(corruption, 5), 42).all();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%-18s 10,000 images in %.2f s%n", corruption, seconds);

        assertThat(seconds).as("seconds for 10,000 images").isLessThan(30);
        assertThat(shifted.size()).isEqualTo(test.size());
        assertThat(shifted.labels()).isSameAs(test.labels());
        assertThat(shifted.id(9_999)).isEqualTo("test-09999");
        assertThat(shifted.classNames()).isEqualTo(test.classNames());
        assertThat(shifted.pixels()).isNotEqualTo(test.pixels());
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void theSameSeedGivesTheSameBytesImageByImageInAnyOrder(Corruption corruption) {
        CifarImages first = test.first(64);
        Shift shift = new Shift(corruption, 3);
        CorruptedImages view = new CorruptedImages(first, shift, 11);
        byte[] all = view.all().pixels();

        for (int i : new int[] {63, 5, 0, 5}) {
            assertThat(view.image(i)).as("image %d", i)
                    .isEqualTo(Arrays.copyOfRange(all, i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS));
        }
        assertThat(new CorruptedImages(first, shift, 11).all().pixels()).isEqualTo(all);
        byte[] otherSeed = new CorruptedImages(first, shift, 12).all().pixels();
        if (corruption.random()) {
            assertThat(otherSeed).isNotEqualTo(all);
        } else {
            assertThat(otherSeed).isEqualTo(all);
        }
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void anImageCanBeCorruptedInPlace(Corruption corruption) {
        ImageCorrupter corrupter = new ImageCorrupter(new Shift(corruption, 4));
        byte[] separate = new byte[CifarShape.PIXELS];
        corrupter.corrupt(test.pixels(), 7 * CifarShape.PIXELS, separate, 0, new SplittableRandom(3));
        byte[] inPlace = Arrays.copyOfRange(test.pixels(), 7 * CifarShape.PIXELS, 8 * CifarShape.PIXELS);
        corrupter.corrupt(inPlace, 0, inPlace, 0, new SplittableRandom(3));

        assertThat(inPlace).isEqualTo(separate);
    }

    @Test
    void severitiesGrowHarsher() {
        CifarImages first = test.first(200);
        for (Corruption corruption : Corruption.values()) {
            double previous = -1;
            for (int severity = 1; severity <= 5; severity++) {
                byte[] shifted = new CorruptedImages(first, new Shift(corruption, severity), 1).all().pixels();
                double distance = meanAbsoluteDifference(first.pixels(), shifted);
                if (corruption != Corruption.SATURATE) {
                    assertThat(distance).as("%s:%d", corruption, severity).isGreaterThan(previous);
                }
                previous = distance;
            }
        }
    }

    private static double meanAbsoluteDifference(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return (double) sum / a.length;
    }

    @Test
    void aShiftedSplitWrittenInTheOfficialLayoutReadsBackAsItWas(@TempDir Path dir) throws IOException {
        CifarImages shifted = new CorruptedImages(test, Shift.parse("contrast:4"), 0).all();

        Path batches = CifarFolderWriter.write(shifted, dir);

        assertThat(batches).isEqualTo(dir.resolve("cifar-10-batches-bin"));
        try (var files = Files.list(batches)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("batches.meta.txt", "test_batch.bin");
        }
        assertThat(Files.readAllBytes(batches.resolve("test_batch.bin")))
                .isEqualTo(SharedCifarCopy.officialBytes(shifted));
        CifarImages back = Cifar10.open(dir).test();
        assertThat(back.pixels()).isEqualTo(shifted.pixels());
        assertThat(back.labels()).isEqualTo(test.labels());
        assertThat(back.classNames()).isEqualTo(Cifar10.OFFICIAL_CLASS_NAMES);
    }

    @Test
    void onlyACompleteSplitIsWritten(@TempDir Path dir) {
        assertThatThrownBy(() -> CifarFolderWriter.write(test.first(100), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the test split in the official layout holds 10000 records, not 100");
    }

    @Test
    void theJpegCarriesLibjpegsTablesForTheQualityAndSubsamplesChromaLikePillow() {
        JpegRoundTrip jpeg = new JpegRoundTrip(40);
        jpeg.apply(test.pixels(), 0, new byte[CifarShape.PIXELS], 0);
        byte[] stream = jpeg.lastEncoded();

        // quality 40: libjpeg scales the standard tables by 5000 / 40 = 125 %, rounded: 16 -> 20, 17 -> 21
        List<int[]> tables = JpegMarkers.quantisationTables(stream);
        assertThat(tables).hasSize(2);
        assertThat(tables.get(0)[0]).isEqualTo(20);
        assertThat(tables.get(1)[0]).isEqualTo(21);
        assertThat(tables.get(0)).containsExactly(JpegRoundTrip.scaled(
                javax.imageio.plugins.jpeg.JPEGQTable.K1Luminance, 40).getTable());
        // Y sampled 2x2, Cb and Cr 1x1: 4:2:0, Pillow's default
        assertThat(JpegMarkers.samplingFactors(stream)).containsExactly(0x22, 0x11, 0x11);
    }

    @Test
    void shiftsAreWrittenNameColonSeverity() {
        assertThat(Shift.parse("gaussian_noise:3")).isEqualTo(new Shift(Corruption.GAUSSIAN_NOISE, 3));
        assertThat(new Shift(Corruption.JPEG_COMPRESSION, 5)).hasToString("jpeg_compression:5");
        assertThat(Shift.parse("saturate:5").parameters()).containsExactly(2.5, 0.2);
        assertThatThrownBy(() -> Shift.parse("fog:3")).hasMessage("no corruption \"fog\"; known: gaussian_noise, "
                + "shot_noise, impulse_noise, defocus_blur, contrast, brightness, saturate, pixelate, jpeg_compression");
        assertThatThrownBy(() -> Shift.parse("contrast:6")).hasMessage("severity must be 1 to 5, got 6");
        assertThatThrownBy(() -> Shift.parse("contrast")).hasMessageStartingWith("a shift is NAME:SEVERITY");
    }
}

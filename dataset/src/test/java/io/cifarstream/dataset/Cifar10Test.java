package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the real CIFAR-10 copy named by $CIFAR10_DATA, from the tar.gz and from the unpacked folder. */
class Cifar10Test {
    private static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private static Cifar10 fromArchive;

    @BeforeAll
    static void openArchive() throws IOException {
        fromArchive = Cifar10.open(SharedCifarCopy.archive());
    }

    @Test
    void testSplitHoldsTenThousandRecordsThousandPerClass() {
        CifarImages test = fromArchive.test();

        assertThat(test.split()).isEqualTo("test");
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.pixels()).hasSize(10_000 * CifarShape.PIXELS);
        assertThat(countPerClass(test)).containsOnly(1_000);
        assertThat(test.classNames()).isEqualTo(CLASS_NAMES);
    }

    @Test
    void testSplitBytesAreExactlyTestBatchBin() {
        CifarImages test = fromArchive.test();

        // MD5 of test_batch.bin from the data README; the loaded records, put back into the file layout, match it.
        assertThat(SharedCifarCopy.md5(SharedCifarCopy.officialBytes(test)))
                .isEqualTo("5059bb8c3f920a4d9278c14ec9cd2bd8");
    }

    @Test
    void firstRecordsHaveTheLabelsOfTheFiles() {
        // Expected values read independently from the unpacked members with
        //   /usr/bin/python3 -c "t=open('test_batch.bin','rb').read(); print([t[i*3073] for i in range(20)])"
        // (and the same for data_batch_1.bin; data_batch_5.bin records 9995..9999), cross-checked with
        //   od -An -t u1 -j $((i*3073)) -N1 test_batch.bin
        CifarImages test = fromArchive.test();
        CifarImages train = fromArchive.train();

        assertThat(Arrays.copyOf(test.labels(), 20))
                .containsExactly(4, 8, 9, 6, 8, 8, 4, 8, 1, 0, 5, 5, 3, 1, 4, 8, 1, 0, 8, 9);
        assertThat(Arrays.copyOf(train.labels(), 20))
                .containsExactly(9, 5, 4, 3, 9, 3, 9, 8, 3, 0, 8, 5, 2, 3, 9, 6, 4, 3, 5, 5);
        assertThat(Arrays.copyOfRange(train.labels(), 49_995, 50_000)).containsExactly(9, 5, 9, 2, 7);
        // Record 0 of test_batch.bin: red, green and blue planes start with these bytes (python, as above).
        byte[] pixels = test.pixels();
        assertThat(Arrays.copyOfRange(pixels, 0, 8)).containsExactly(33, 33, 36, 35, 30, 18, 10, 6);
        assertThat(Arrays.copyOfRange(pixels, 1024, 1032)).containsExactly(67, 72, 80, 90, 94, 95, 96, 102);
        assertThat(Arrays.copyOfRange(pixels, 2048, 2056)).containsExactly(53, 54, 57, 59, 57, 51, 51, 54);
    }

    @Test
    void trainSplitIsTheFiveBatchesInOrder() {
        CifarImages train = fromArchive.train();

        assertThat(train.split()).isEqualTo("train");
        assertThat(train.size()).isEqualTo(50_000);
        assertThat(countPerClass(train)).containsOnly(5_000);
        // MD5 of `cat data_batch_1.bin ... data_batch_5.bin` of the unpacked archive (md5sum).
        assertThat(SharedCifarCopy.md5(SharedCifarCopy.officialBytes(train)))
                .isEqualTo("e9668001b5bed63a7f048d2f2af98143");
        // data_batch_1.bin alone: MD5 from the data README.
        assertThat(SharedCifarCopy.md5(SharedCifarCopy.officialBytes(train.first(10_000))))
                .isEqualTo("f28e5bc826ff652789974ad18d6367fc");
    }

    @Test
    void readingBothSplitsFromTheArchiveTakesAboutASecondEach() throws IOException {
        Cifar10 fresh = Cifar10.open(SharedCifarCopy.archive());

        // Measured, logged, never asserted: the whole archive is decompressed for either split.
        assertThat(timed("train from tar.gz", fresh::train).size()).isEqualTo(50_000);
        assertThat(timed("test from tar.gz", fresh::test).size()).isEqualTo(10_000);
    }

    @Test
    void splitsAreReadOnceAndKept() {
        assertThat(fromArchive.test()).isSameAs(fromArchive.test());
        assertThat(fromArchive.classNames()).isEqualTo(CLASS_NAMES);
    }

    @Test
    void classNamesAloneComeFromTheMetaMember() throws IOException {
        Cifar10 fresh = Cifar10.open(SharedCifarCopy.archive());

        assertThat(timed("class names", fresh::classNames)).isEqualTo(CLASS_NAMES);
    }

    @Test
    void unpackedFolderGivesTheSameBytesAsTheArchive(@TempDir Path dir) throws IOException {
        SharedCifarCopy.unpack(SharedCifarCopy.archive(), dir);
        Path batches = dir.resolve("cifar-10-batches-bin");

        for (Path location : List.of(batches, dir)) {
            Cifar10 fromFolder = Cifar10.open(location);
            CifarImages test = timed("test from folder", fromFolder::test);
            CifarImages train = timed("train from folder", fromFolder::train);

            assertThat(fromFolder.location()).isEqualTo(location);
            assertThat(test.labels()).isEqualTo(fromArchive.test().labels());
            assertThat(test.pixels()).isEqualTo(fromArchive.test().pixels());
            assertThat(train.labels()).isEqualTo(fromArchive.train().labels());
            assertThat(train.pixels()).isEqualTo(fromArchive.train().pixels());
            assertThat(fromFolder.classNames()).isEqualTo(CLASS_NAMES);
        }
    }

    private static int[] countPerClass(CifarImages images) {
        int[] counts = new int[CifarShape.CLASSES];
        for (byte label : images.labels()) {
            counts[label]++;
        }
        return counts;
    }

    /** Measures and logs a load; timings are reported, never asserted. */
    private static <T> T timed(String what, java.util.function.Supplier<T> load) {
        long start = System.nanoTime();
        T result = load.get();
        System.out.printf("[Cifar10Test] %s: %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
        return result;
    }
}

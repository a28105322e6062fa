package io.cifarstream.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of the real CIFAR-10 files, made at test time, each fail with a {@link CifarFormatException} that
 * names the file and the fault and says how to get an intact copy; none yields a partly loaded split.
 */
class Cifar10CorruptInputTest {
    private static final String FIX = "Download it again from " + Cifar10Locator.OFFICIAL_URL
            + " or point the data location (or CIFAR10_DATA) at an intact copy.";

    @TempDir
    static Path unpacked;
    private static byte[] testBatch;
    private static byte[] meta;

    @TempDir
    Path dir;

    @BeforeAll
    static void unpackRealCopy() throws IOException {
        SharedCifarCopy.unpack(SharedCifarCopy.archive(), unpacked);
        testBatch = Files.readAllBytes(unpacked.resolve("cifar-10-batches-bin/test_batch.bin"));
        meta = Files.readAllBytes(unpacked.resolve("cifar-10-batches-bin/batches.meta.txt"));
    }

    @Test
    void truncatedArchiveIsRejected() throws IOException {
        byte[] archive = Files.readAllBytes(SharedCifarCopy.archive());
        Path truncated = Files.write(dir.resolve("cifar-10-binary.tar.gz"),
                Arrays.copyOf(archive, archive.length * 3 / 5));
        Cifar10 cifar = Cifar10.open(truncated);

        for (Load load : new Load[] {cifar::test, cifar::train}) {
            assertFormatError(load)
                    .hasMessageStartingWith(truncated + " (member cifar-10-batches-bin/")
                    .hasMessageContaining("cannot be read, the archive is truncated or corrupt")
                    .hasMessageContaining("Unexpected end of ZLIB input stream");
        }
    }

    @Test
    void archiveWithAWrongChecksumIsRejectedEvenPastTheLastMember() throws IOException {
        byte[] archive = Files.readAllBytes(SharedCifarCopy.archive());
        // The gzip trailer is CRC-32 then size; flipping the CRC leaves every member readable.
        archive[archive.length - 8] ^= 0x01;
        Path corrupt = Files.write(dir.resolve("cifar-10-binary.tar.gz"), archive);

        assertFormatError(() -> Cifar10.open(corrupt).test())
                .hasMessageContaining(corrupt + " (member (end of archive))")
                .hasMessageContaining("Corrupt GZIP trailer");
    }

    @Test
    void fileThatIsNoGzipIsRejected() throws IOException {
        Path text = Files.writeString(dir.resolve("cifar.tar.gz"), "not an archive\n");

        assertFormatError(() -> Cifar10.open(text).test())
                .hasMessageStartingWith(text + ": is not a gzip file");
    }

    @Test
    void archiveMemberCutShortIsRejected() throws IOException {
        Path archive = writeArchive(dir.resolve("short.tar.gz"), meta, Arrays.copyOf(testBatch, 10_000));

        assertFormatError(() -> Cifar10.open(archive).test())
                .hasMessageStartingWith(archive + " (member cifar-10-batches-bin/test_batch.bin): is 10000 bytes;"
                        + " a batch file must be exactly 10000 records x 3073 bytes = 30730000 bytes");
    }

    @Test
    void archiveMissingTrainingBatchesServesTestButNotTrain() throws IOException {
        Path archive = writeArchive(dir.resolve("test-only.tar.gz"), meta, testBatch);
        Cifar10 cifar = Cifar10.open(archive);

        assertThat(cifar.test().size()).isEqualTo(10_000);
        assertFormatError(cifar::train)
                .hasMessageStartingWith(archive + ": missing data_batch_1.bin, data_batch_2.bin, data_batch_3.bin,"
                        + " data_batch_4.bin, data_batch_5.bin (needed for the train split");
    }

    @Test
    void batchFileCutShortIsRejected() throws IOException {
        Path batch = writeFolder(meta, Arrays.copyOf(testBatch, testBatch.length - 3073)).resolve("test_batch.bin");

        assertFormatError(() -> Cifar10.open(dir).test())
                .hasMessageStartingWith(batch + ": is 30726927 bytes; a batch file must be exactly");
    }

    @Test
    void labelAboveNineIsRejected() throws IOException {
        byte[] damaged = testBatch.clone();
        damaged[5 * 3073] = 12;
        Path batch = writeFolder(meta, damaged).resolve("test_batch.bin");

        assertFormatError(() -> Cifar10.open(dir).test())
                .hasMessageStartingWith(batch + ": record 5 has label 12; labels must be 0..9");
    }

    @Test
    void missingMetaIsRejectedAndNothingIsKeptUntilItIsThere() throws IOException {
        Path folder = writeFolder(null, testBatch);
        Cifar10 cifar = Cifar10.open(folder);

        assertFormatError(cifar::test).hasMessageStartingWith(folder + ": missing batches.meta.txt");
        assertFormatError(cifar::classNames).hasMessageStartingWith(folder + ": missing batches.meta.txt");
        Files.write(folder.resolve("batches.meta.txt"), meta);
        assertThat(cifar.test().size()).isEqualTo(10_000);
    }

    @Test
    void malformedMetaIsRejected() throws IOException {
        String nineNames = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\n";
        Path metaFile = writeFolder(nineNames.getBytes(StandardCharsets.US_ASCII), testBatch)
                .resolve("batches.meta.txt");
        assertFormatError(() -> Cifar10.open(dir).test())
                .hasMessageStartingWith(metaFile + ": names 9 classes; expected 10");

        Files.writeString(metaFile, nineNames + "ship\n");
        assertFormatError(() -> Cifar10.open(dir).classNames())
                .hasMessageStartingWith(metaFile + ": names class \"ship\" twice");

        Files.write(metaFile, testBatch);
        assertFormatError(() -> Cifar10.open(dir).test())
                .hasMessageStartingWith(metaFile + ": is 30730000 bytes; expected ten class names");

        Files.writeString(metaFile, nineNames + "tr\u0001uck\n");
        assertFormatError(() -> Cifar10.open(dir).test())
                .hasMessageStartingWith(metaFile + ": line \"tr\\x01uck\" is not a class name");
    }

    @Test
    void locationsThatHoldNoCifarAreRejectedWhenOpened() throws IOException {
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> Cifar10.open(missing))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessageStartingWith(missing + " does not exist. Point the data location (or CIFAR10_DATA) at");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> Cifar10.open(empty))
                .isInstanceOf(CifarFormatException.class)
                .hasMessageStartingWith(empty + ": holds neither cifar-10-batches-bin/ nor cifar-10-binary.tar.gz")
                .hasMessageEndingWith(FIX);
    }

    /** Something that reads CIFAR-10: a lazy split load (unchecked failure) or an eager call (checked). */
    private interface Load {
        void run() throws IOException;
    }

    /** Runs a load; asserts it failed with a CifarFormatException carrying the fix, returns that for more checks. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertFormatError(Load load) {
        Throwable failure;
        try {
            load.run();
            throw new AssertionError("the load succeeded; expected a CifarFormatException");
        } catch (UncheckedIOException e) {
            assertThat(e).hasMessage(e.getCause().getMessage());
            failure = e.getCause();
        } catch (IOException e) {
            failure = e;
        }
        return assertThat(failure).isInstanceOf(CifarFormatException.class).hasMessageEndingWith(FIX);
    }

    /** A batches folder in {@link #dir} with the given meta (none when null) and test batch. */
    private Path writeFolder(byte[] metaBytes, byte[] testBatchBytes) throws IOException {
        if (metaBytes != null) {
            Files.write(dir.resolve("batches.meta.txt"), metaBytes);
        }
        Files.write(dir.resolve("test_batch.bin"), testBatchBytes);
        return dir;
    }

    /** A tar.gz laid out like the official one, holding only the meta and the given test batch. */
    private static Path writeArchive(Path file, byte[] metaBytes, byte[] testBatchBytes) throws IOException {
        try (OutputStream gzip = new FastGzipOutputStream(Files.newOutputStream(file));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            addMember(tar, "cifar-10-batches-bin/batches.meta.txt", metaBytes);
            addMember(tar, "cifar-10-batches-bin/test_batch.bin", testBatchBytes);
        }
        return file;
    }

    private static void addMember(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** Level-1 gzip: these archives are written for one test and read once. */
    private static final class FastGzipOutputStream extends GZIPOutputStream {
        FastGzipOutputStream(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}

package io.cifarstream.dataset;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The real CIFAR-10 copy named by $CIFAR10_DATA; tests that need it are skipped when the variable is unset. */
final class SharedCifarCopy {
    private SharedCifarCopy() {
    }

    /** The path in $CIFAR10_DATA (a tar.gz or a folder), or the calling test is skipped. */
    static Path location() {
        String value = System.getenv(Cifar10Locator.ENV);
        assumeTrue(value != null && !value.isBlank(), Cifar10Locator.ENV + " is not set: real-data test skipped");
        Path path = Path.of(value);
        assumeTrue(Files.exists(path), Cifar10Locator.ENV + "=" + value + " does not exist");
        return path;
    }

    /** The tar.gz named by $CIFAR10_DATA (or the one inside the folder it names). */
    static Path archive() {
        Path location = location();
        Path archive = Files.isRegularFile(location) ? location : location.resolve("cifar-10-binary.tar.gz");
        assumeTrue(Files.isRegularFile(archive), "these tests need the tar.gz itself, not found at " + archive);
        return archive;
    }

    /**
     * Unpacks the archive's files into {@code folder} with the system's {@code tar}-independent reader of
     * commons-compress, plainly, so the test compares the product's stream reader with files on disk.
     */
    static void unpack(Path archive, Path folder) throws IOException {
        try (InputStream in = new TarArchiveInputStream(new GZIPInputStream(
                new BufferedInputStream(Files.newInputStream(archive)), 1 << 16))) {
            TarArchiveInputStream tar = (TarArchiveInputStream) in;
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = folder.resolve(entry.getName()).normalize();
                if (!target.startsWith(folder)) {
                    throw new IOException("member escapes the folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                }
            }
        }
    }

    static String md5(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The records of {@code images} in the official file layout (label byte, then pixels), in order. */
    static byte[] officialBytes(CifarImages images) {
        byte[] out = new byte[images.size() * Split.RECORD_BYTES];
        for (int i = 0; i < images.size(); i++) {
            out[i * Split.RECORD_BYTES] = images.labels()[i];
            System.arraycopy(images.pixels(), i * CifarImages.PIXELS, out, i * Split.RECORD_BYTES + 1,
                    CifarImages.PIXELS);
        }
        return out;
    }
}

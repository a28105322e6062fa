package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The real CIFAR-10, found the way the command line finds it: $CIFAR10_DATA, else the cache, else the official
 * download (so the README's test command works for users with a network; offline, the locator's message says how
 * to point at a copy).
 */
final class SharedCifarCopy {
    private SharedCifarCopy() {
    }

    /** The located copy: a tar.gz or a folder. */
    static Path location() {
        try {
            return new Cifar10Locator().locate(Optional.empty(), DownloadListener.none());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tar.gz named by $CIFAR10_DATA (or the one inside the folder it names). */
    static Path archive() {
        Path location = location();
        Path archive = Files.isRegularFile(location) ? location : location.resolve("cifar-10-binary.tar.gz");
        assumeTrue(Files.isRegularFile(archive), "these tests need the tar.gz itself, not found at " + archive);
        return archive;
    }

    /** Unpacks the archive into {@code folder}, as {@code tar xzf} would, for tests that need files on disk. */
    static void unpack(Path archive, Path folder) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
                new BufferedInputStream(Files.newInputStream(archive)), 1 << 16))) {
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
            System.arraycopy(images.pixels(), i * CifarShape.PIXELS, out, i * Split.RECORD_BYTES + 1,
                    CifarShape.PIXELS);
        }
        return out;
    }
}

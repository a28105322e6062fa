package io.cifarstream.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the official cifar-10-binary.tar.gz as one stream, never unpacked to disk. Members may come in any order;
 * each wanted one is read straight into the split's arrays. A split load reads the gzip stream to its end so that
 * its CRC is checked: a corrupt archive fails instead of yielding altered pixels.
 */
final class TarGzBatches implements BatchSource {
    private static final int BUFFER = 1 << 16;

    private final Path archive;

    TarGzBatches(Path archive) {
        this.archive = archive;
    }

    @Override
    public CifarImages load(Split split) throws IOException {
        SplitLoader loader = new SplitLoader(split);
        scan(loader);
        return loader.finish(archive.toString());
    }

    @Override
    public List<String> classNames() throws IOException {
        // Stops at the meta member: the names alone do not justify decompressing 170 MB.
        List<List<String>> found = new ArrayList<>(1);
        walk((name, where, size, in) -> {
            if (!name.equals(Split.META_FILE)) {
                return false;
            }
            found.add(SplitLoader.parseMeta(where, size, in));
            return true;
        }, false);
        if (found.isEmpty()) {
            throw CifarFormatException.of(archive.toString(), "missing " + Split.META_FILE + " (expected in "
                    + Split.FOLDER + "/)");
        }
        return found.get(0);
    }

    private void scan(SplitLoader loader) throws IOException {
        walk((name, where, size, in) -> {
            if (loader.wants(name)) {
                loader.read(name, where, size, in);
            }
            return false;
        }, true);
    }

    /** Reads one file member of the archive; returns true to stop the walk there. */
    private interface MemberReader {
        boolean read(String name, String where, long size, InputStream in) throws IOException;
    }

    /**
     * Offers every file member to {@code reader} in archive order. With {@code toEnd}, a walk that was not stopped
     * reads the gzip stream to its end so that its CRC is checked.
     */
    private void walk(MemberReader reader, boolean toEnd) throws IOException {
        String member = "(archive header)";
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), BUFFER);
             GZIPInputStream gzip = openGzip(file);
             TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                member = entry.getName();
                if (entry.isFile() && reader.read(baseName(member), where(member), entry.getSize(), tar)) {
                    return;
                }
            }
            if (toEnd) {
                member = "(end of archive)";
                // The tar reader stops at its end-of-archive blocks; the rest must still pass the gzip CRC check.
                gzip.transferTo(OutputStream.nullOutputStream());
            }
        } catch (CifarFormatException e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(member, e);
        }
    }

    private GZIPInputStream openGzip(InputStream file) throws IOException {
        try {
            return new GZIPInputStream(file, BUFFER);
        } catch (ZipException e) {
            throw CifarFormatException.of(archive.toString(), "is not a gzip file (" + e.getMessage()
                    + "); expected the official cifar-10-binary.tar.gz", e);
        }
    }

    private CifarFormatException unreadable(String member, IOException e) {
        return CifarFormatException.of(archive + " (member " + member + ")", "cannot be read, the archive is "
                + "truncated or corrupt (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }

    private String where(String member) {
        return archive + " (member " + member + ")";
    }

    private static String baseName(String member) {
        String name = member.endsWith("/") ? member.substring(0, member.length() - 1) : member;
        return name.substring(name.lastIndexOf('/') + 1);
    }
}

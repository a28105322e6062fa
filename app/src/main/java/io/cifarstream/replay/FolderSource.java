package io.cifarstream.replay;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import io.cifarstream.dataset.ImageFolder;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;

/**
 * A folder of PNG/JPEG pictures (class sub-folders give labels, like torchvision's ImageFolder), published as the
 * compressed files' bytes: the scorer decodes and resizes them to 32x32. Width and height are read from the file's
 * header; the id is the path relative to the folder.
 */
public final class FolderSource implements ImageSource {
    private final ImageFolder folder;
    private final List<ImageFolder.Entry> entries;

    public FolderSource(ImageFolder folder) {
        this.folder = folder;
        this.entries = folder.entries();
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public String id(int i) {
        return entries.get(i).id();
    }

    @Override
    public OptionalInt label(int i) {
        return entries.get(i).label();
    }

    @Override
    public ImageEvent event(int i, long eventTime) {
        ImageFolder.Entry entry = entries.get(i);
        try {
            byte[] bytes = Files.readAllBytes(entry.path());
            ImageEncoding encoding = isPng(bytes) ? ImageEncoding.PNG : ImageEncoding.JPEG;
            int[] size = dimensions(bytes);
            return new ImageEvent(entry.id(), Instant.ofEpochMilli(eventTime), entry.path().toString(), null, size[0],
                    size[1], 3, encoding, ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entry.path() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String description() {
        return folder.root().toString();
    }

    private static boolean isPng(byte[] bytes) {
        return bytes.length > 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
    }

    /** Width and height from the header alone (a huge picture is not decoded here; the scorer enforces caps). */
    private static int[] dimensions(byte[] bytes) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return new int[] {0, 0};
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }
}

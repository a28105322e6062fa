package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a whole split in the official binary layout, so that anything that reads CIFAR-10 (this project's
 * {@code --data}, or another program) reads it back: {@code cifar-10-batches-bin/} with {@code batches.meta.txt}
 * and the split's batch files of 10,000 records each (a label byte, then 1024 R, 1024 G, 1024 B bytes). Each file
 * is written beside its place and moved there when complete.
 */
public final class CifarFolderWriter {

    private CifarFolderWriter() {
    }

    /**
     * Writes {@code images} (the complete split: 10,000 test or 50,000 training records) under {@code folder};
     * returns the {@code cifar-10-batches-bin} folder written. Files of the other split already there stay.
     */
    public static Path write(CifarImages images, Path folder) throws IOException {
        Split split = images.split().equals(Split.TEST.splitName()) ? Split.TEST : Split.TRAIN;
        if (images.size() != split.records()) {
            throw new IllegalArgumentException("the " + split.splitName() + " split in the official layout holds "
                    + split.records() + " records, not " + images.size());
        }
        Path batches = Files.createDirectories(folder.resolve(Split.FOLDER));
        byte[] names = (String.join("\n", images.classNames()) + "\n").getBytes(StandardCharsets.US_ASCII);
        writeAtomically(batches.resolve(Split.META_FILE), out -> out.write(names));
        for (int b = 0; b < split.batchFiles().size(); b++) {
            int firstRecord = b * Split.RECORDS_PER_BATCH;
            writeAtomically(batches.resolve(split.batchFiles().get(b)), out -> {
                for (int r = firstRecord; r < firstRecord + Split.RECORDS_PER_BATCH; r++) {
                    out.write(images.labels()[r]);
                    out.write(images.pixels(), r * CifarShape.PIXELS, CifarShape.PIXELS);
                }
            });
        }
        return batches;
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Content content) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            content.writeTo(out);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

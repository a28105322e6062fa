package io.cifarstream.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads the unpacked cifar-10-batches-bin/ folder, file by file. */
final class FolderBatches implements BatchSource {
    private static final int BUFFER = 1 << 16;

    private final Path folder;

    FolderBatches(Path folder) {
        this.folder = folder;
    }

    @Override
    public CifarImages load(Split split) throws IOException {
        SplitLoader loader = new SplitLoader(split);
        readIfPresent(loader, Split.META_FILE);
        for (String batch : split.batchFiles()) {
            readIfPresent(loader, batch);
        }
        return loader.finish(folder.toString());
    }

    @Override
    public List<String> classNames() throws IOException {
        Path meta = folder.resolve(Split.META_FILE);
        if (!Files.isRegularFile(meta)) {
            throw CifarFormatException.of(folder.toString(), "missing " + Split.META_FILE);
        }
        try (InputStream in = Files.newInputStream(meta)) {
            return SplitLoader.parseMeta(meta.toString(), Files.size(meta), in);
        }
    }

    /** A missing file is left for {@link SplitLoader#finish} to report, together with any other missing one. */
    private void readIfPresent(SplitLoader loader, String name) throws IOException {
        Path file = folder.resolve(name);
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
            loader.read(name, file.toString(), Files.size(file), in);
        }
    }
}

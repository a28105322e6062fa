package io.cifarstream.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CIFAR-10 in the official binary format, read lazily from one of: the official {@code cifar-10-binary.tar.gz}
 * (streamed, never unpacked to disk), the unpacked {@code cifar-10-batches-bin/} folder, or the folder that contains
 * either of them.
 *
 * <p>Each split is read on first use, validated completely (sizes, labels, class names, archive checksum) and then
 * kept; a failure leaves nothing half-loaded and the next call tries again. Because {@link #train()} and
 * {@link #test()} read lazily, their I/O failures arrive as {@link UncheckedIOException} whose cause is a
 * {@link CifarFormatException} (or another {@link IOException}) and whose message is the cause's message.
 * Thread-safe.
 */
public final class Cifar10 {
    /** The ten CIFAR-10 classes in the official label order (as batches.meta.txt names them). */
    public static final List<String> OFFICIAL_CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    private static final Logger LOG = LoggerFactory.getLogger(Cifar10.class);
    private static final String ARCHIVE_NAME = "cifar-10-binary.tar.gz";

    private final Path location;
    private final BatchSource source;
    private CifarImages train;
    private CifarImages test;
    private List<String> classNames;

    private Cifar10(Path location, BatchSource source) {
        this.location = location;
        this.source = source;
    }

    /**
     * Recognises what {@code location} is without reading the data yet.
     *
     * @throws DataUnavailableException when it does not exist
     * @throws CifarFormatException     when it is a folder with no CIFAR-10 files in it
     */
    public static Cifar10 open(Path location) throws IOException {
        Objects.requireNonNull(location, "location");
        if (!Files.exists(location)) {
            throw new DataUnavailableException(location + " does not exist. Point the data location (or " + Cifar10Locator.ENV
                    + ") at " + ARCHIVE_NAME + ", its unpacked " + Split.FOLDER + "/ folder or the folder holding "
                    + "either, or set neither to use the download cache.");
        }
        if (Files.isRegularFile(location)) {
            return new Cifar10(location, new TarGzBatches(location));
        }
        if (holdsBatchFiles(location)) {
            return new Cifar10(location, new FolderBatches(location));
        }
        Path unpacked = location.resolve(Split.FOLDER);
        if (Files.isDirectory(unpacked)) {
            return new Cifar10(location, new FolderBatches(unpacked));
        }
        Path archive = location.resolve(ARCHIVE_NAME);
        if (Files.isRegularFile(archive)) {
            return new Cifar10(location, new TarGzBatches(archive));
        }
        throw CifarFormatException.of(location.toString(), "holds neither " + Split.FOLDER + "/ nor "
                + ARCHIVE_NAME + " nor the CIFAR-10 batch files themselves");
    }

    private static boolean holdsBatchFiles(Path folder) {
        if (Files.exists(folder.resolve(Split.META_FILE))) {
            return true;
        }
        for (Split split : Split.values()) {
            for (String batch : split.batchFiles()) {
                if (Files.exists(folder.resolve(batch))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The 50,000 training records, data_batch_1 to data_batch_5 in order; read on first call. */
    public synchronized CifarImages train() {
        if (train == null) {
            train = load(Split.TRAIN);
        }
        return train;
    }

    /** The 10,000 test records of test_batch; read on first call. */
    public synchronized CifarImages test() {
        if (test == null) {
            test = load(Split.TEST);
        }
        return test;
    }

    /** The ten class names of batches.meta.txt, index = label. */
    public synchronized List<String> classNames() {
        if (classNames == null) {
            if (train != null || test != null) {
                classNames = (train != null ? train : test).classNames();
            } else {
                try {
                    classNames = source.classNames();
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }
        }
        return classNames;
    }

    /** The location given to {@link #open(Path)}. */
    public Path location() {
        return location;
    }

    private CifarImages load(Split split) {
        long start = System.nanoTime();
        try {
            CifarImages images = source.load(split);
            LOG.info("Read {} {} records from {} in {} ms", images.size(), split.splitName(), location,
                    (System.nanoTime() - start) / 1_000_000);
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Cifar10[" + location + "]";
    }
}

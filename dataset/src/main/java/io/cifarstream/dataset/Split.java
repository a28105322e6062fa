package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.util.List;

/** The two CIFAR-10 splits and the batch files that hold them, in official order. */
enum Split {
    TRAIN("train", List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin")),
    TEST("test", List.of("test_batch.bin"));

    /** Records in every batch file. */
    static final int RECORDS_PER_BATCH = 10_000;
    /** One label byte, then the pixels. */
    static final int RECORD_BYTES = 1 + CifarShape.PIXELS;
    static final long BATCH_BYTES = (long) RECORDS_PER_BATCH * RECORD_BYTES;
    static final String META_FILE = "batches.meta.txt";
    static final String FOLDER = "cifar-10-batches-bin";

    private final String splitName;
    private final List<String> batchFiles;

    Split(String splitName, List<String> batchFiles) {
        this.splitName = splitName;
        this.batchFiles = batchFiles;
    }

    String splitName() {
        return splitName;
    }

    List<String> batchFiles() {
        return batchFiles;
    }

    int records() {
        return batchFiles.size() * RECORDS_PER_BATCH;
    }
}

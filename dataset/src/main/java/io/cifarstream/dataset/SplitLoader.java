package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Fills one split's arrays from the batch files as they are met, in whatever order the source yields them, and
 * hands out a {@link CifarImages} only when every file was read and valid: never a half-loaded split.
 *
 * <p>Pixels are read straight into the one big array, record by record: no per-record objects.
 */
final class SplitLoader {
    /** batches.meta.txt is 60 bytes in the official file; anything far bigger is not it. */
    private static final int MAX_META_BYTES = 4096;
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_ -]*");

    private final Split split;
    private final byte[] pixels;
    private final byte[] labels;
    private final boolean[] batchRead;
    private List<String> classNames;

    SplitLoader(Split split) {
        this.split = split;
        this.pixels = new byte[split.records() * CifarShape.PIXELS];
        this.labels = new byte[split.records()];
        this.batchRead = new boolean[split.batchFiles().size()];
    }

    /** Whether {@code fileName} (a bare name such as "data_batch_3.bin") is one this loader still needs. */
    boolean wants(String fileName) {
        int batch = split.batchFiles().indexOf(fileName);
        return batch >= 0 ? !batchRead[batch] : fileName.equals(Split.META_FILE) && classNames == null;
    }

    /** Whether every batch file and the class names have been read. */
    boolean complete() {
        for (boolean read : batchRead) {
            if (!read) {
                return false;
            }
        }
        return classNames != null;
    }

    /**
     * Reads the file {@code fileName} of {@code size} bytes from {@code in}; {@code where} names it in messages.
     * Reads exactly {@code size} bytes, so the stream stays positioned for whatever follows.
     */
    void read(String fileName, String where, long size, InputStream in) throws IOException {
        if (fileName.equals(Split.META_FILE)) {
            classNames = parseMeta(where, size, in);
            return;
        }
        int batch = split.batchFiles().indexOf(fileName);
        if (batch < 0) {
            throw new IllegalArgumentException(fileName + " is no batch file of " + split.splitName());
        }
        if (size != Split.BATCH_BYTES) {
            throw CifarFormatException.of(where, "is " + size + " bytes; a batch file must be exactly "
                    + Split.RECORDS_PER_BATCH + " records x " + Split.RECORD_BYTES + " bytes = " + Split.BATCH_BYTES
                    + " bytes (is it truncated?)");
        }
        int firstRecord = batch * Split.RECORDS_PER_BATCH;
        for (int r = 0; r < Split.RECORDS_PER_BATCH; r++) {
            int record = firstRecord + r;
            int label = in.read();
            if (label < 0) {
                throw truncated(where, r);
            }
            if (label >= CifarShape.CLASSES) {
                throw CifarFormatException.of(where, "record " + r + " has label " + label
                        + "; labels must be 0.." + (CifarShape.CLASSES - 1) + " (the file is corrupt)");
            }
            labels[record] = (byte) label;
            int got = in.readNBytes(pixels, record * CifarShape.PIXELS, CifarShape.PIXELS);
            if (got != CifarShape.PIXELS) {
                throw truncated(where, r);
            }
        }
        batchRead[batch] = true;
    }

    /** The loaded split; {@code location} names the source when files were never met. */
    CifarImages finish(String location) throws CifarFormatException {
        List<String> missing = new ArrayList<>();
        if (classNames == null) {
            missing.add(Split.META_FILE);
        }
        for (int b = 0; b < batchRead.length; b++) {
            if (!batchRead[b]) {
                missing.add(split.batchFiles().get(b));
            }
        }
        if (!missing.isEmpty()) {
            throw CifarFormatException.of(location, "missing " + String.join(", ", missing) + " (needed for the "
                    + split.splitName() + " split; expected in " + Split.FOLDER + "/)");
        }
        return new CifarImages(split.splitName(), pixels, labels, classNames);
    }

    private static CifarFormatException truncated(String where, int record) {
        return CifarFormatException.of(where, "ends inside record " + record + " of " + Split.RECORDS_PER_BATCH
                + " (truncated)");
    }

    /** Parses batches.meta.txt: ten class names, one a line; blank lines (the official file ends with one) ignored. */
    static List<String> parseMeta(String where, long size, InputStream in) throws IOException {
        if (size > MAX_META_BYTES) {
            throw CifarFormatException.of(where, "is " + size + " bytes; expected ten class names, one a line "
                    + "(about 60 bytes)");
        }
        byte[] bytes = in.readNBytes((int) size);
        if (bytes.length != size) {
            throw CifarFormatException.of(where, "ends after " + bytes.length + " of " + size + " bytes (truncated)");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String line : new String(bytes, StandardCharsets.US_ASCII).split("\r?\n")) {
            String name = line.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!CLASS_NAME.matcher(name).matches()) {
                throw CifarFormatException.of(where, "line \"" + printable(name) + "\" is not a class name "
                        + "(expected ten names such as airplane, one a line)");
            }
            if (!seen.add(name)) {
                throw CifarFormatException.of(where, "names class \"" + name + "\" twice");
            }
            names.add(name);
        }
        if (names.size() != CifarShape.CLASSES) {
            throw CifarFormatException.of(where, "names " + names.size() + " classes; expected "
                    + CifarShape.CLASSES + ", one a line (airplane ... truck)");
        }
        return List.copyOf(names);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(40).forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                out.appendCodePoint(c);
            } else {
                out.append(String.format("\\x%02x", c & 0xff));
            }
        });
        return out.toString();
    }
}

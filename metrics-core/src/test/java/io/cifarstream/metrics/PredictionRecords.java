package io.cifarstream.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Labelled predictions with image statistics, read from a test resource in the layout of
 * {@code src/test/python/make_monitoring_fixture.py}: per record 73 bytes, little-endian: the label, 10
 * float32 log-probabilities, 8 float32 {@link ImageStatistics}.
 */
record PredictionRecords(int[] labels, float[][] logProbs, float[][] stats) {

    static final int CLASSES = 10;

    static PredictionRecords read(String resource) {
        byte[] bytes;
        try (InputStream in = PredictionRecords.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(resource + " is not on the test classpath");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int size = 1 + 4 * (CLASSES + ImageStatistics.LENGTH);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = bytes.length / size;
        int[] labels = new int[n];
        float[][] logProbs = new float[n][CLASSES];
        float[][] stats = new float[n][ImageStatistics.LENGTH];
        for (int i = 0; i < n; i++) {
            labels[i] = buffer.get() & 0xFF;
            for (int k = 0; k < CLASSES; k++) {
                logProbs[i][k] = buffer.getFloat();
            }
            for (int s = 0; s < ImageStatistics.LENGTH; s++) {
                stats[i][s] = buffer.getFloat();
            }
        }
        return new PredictionRecords(labels, logProbs, stats);
    }

    int size() {
        return labels.length;
    }

    /** Records {@code from} (inclusive) to {@code to} (exclusive). */
    PredictionRecords slice(int from, int to) {
        return new PredictionRecords(Arrays.copyOfRange(labels, from, to), Arrays.copyOfRange(logProbs, from, to),
                Arrays.copyOfRange(stats, from, to));
    }

    /** The calibration these records give as a reference. */
    Calibration calibration() {
        ReferenceSet reference = new ReferenceSet(CLASSES);
        for (int i = 0; i < size(); i++) {
            reference.add(labels[i], logProbs[i], stats[i]);
        }
        return reference.calibration();
    }
}

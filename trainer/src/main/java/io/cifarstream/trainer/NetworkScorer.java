package io.cifarstream.trainer;

import io.cifarstream.schemas.CifarShape;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Runs the DJL network on unaugmented CIFAR-10 records: test accuracy and raw log-probabilities. */
final class NetworkScorer {
    static final int BATCH = 500;

    private final CifarNet net;
    private final NDManager manager;
    private final BatchAssembler assembler;

    NetworkScorer(CifarNet net, NDManager manager, Normalization normalization) {
        this.net = net;
        this.manager = manager;
        this.assembler = new BatchAssembler(normalization, BATCH, 0, false, 0);
    }

    /** Share of records {@code 0..count-1} whose most likely class is their label. */
    double accuracy(byte[] pixels, byte[] labels, int count) {
        long correct = 0;
        for (int first = 0; first < count; first += BATCH) {
            int n = Math.min(BATCH, count - first);
            try (NDManager batch = manager.newSubManager()) {
                NDArray input = CifarNet.input(batch, assembler.images(pixels, first, n), n);
                long[] predicted = net.forward(input, false).argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    if (predicted[i] == labels[first + i]) {
                        correct++;
                    }
                }
            }
        }
        return count == 0 ? 0 : (double) correct / count;
    }

    /** count*10 log-probabilities of records {@code first..first+count-1}. */
    float[] logProbabilities(byte[] pixels, int first, int count) {
        float[] out = new float[count * CifarShape.CLASSES];
        for (int done = 0; done < count; done += BATCH) {
            int n = Math.min(BATCH, count - done);
            try (NDManager batch = manager.newSubManager()) {
                NDArray input = CifarNet.input(batch, assembler.images(pixels, first + done, n), n);
                float[] values = net.forward(input, false).toFloatArray();
                System.arraycopy(values, 0, out, done * CifarShape.CLASSES, values.length);
            }
        }
        return out;
    }
}

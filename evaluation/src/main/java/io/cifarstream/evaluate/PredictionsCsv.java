package io.cifarstream.evaluate;

import io.cifarstream.schemas.CifarShape;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cifarstream.inference.OnnxClassifier;

/**
 * One CSV row per image, in the split's order: {@code index,label,predicted,logp_0..logp_9}, for analysis
 * elsewhere (pandas, scikit-learn). Floats are written in Java's shortest round-trip form, so a reader gets the
 * exact float32 values back.
 */
public final class PredictionsCsv {

    private PredictionsCsv() {
    }

    public static void write(Evaluation evaluation, Path file) throws IOException {
        int classes = CifarShape.CLASSES;
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("index,label,predicted");
            for (int k = 0; k < classes; k++) {
                out.write(",logp_" + k);
            }
            out.newLine();
            float[] logProbs = evaluation.logProbs();
            StringBuilder row = new StringBuilder(256);
            for (int i = 0; i < evaluation.images().size(); i++) {
                row.setLength(0);
                row.append(i).append(',').append(evaluation.images().label(i)).append(',')
                        .append(evaluation.predicted(i));
                for (int k = 0; k < classes; k++) {
                    row.append(',').append(logProbs[i * classes + k]);
                }
                out.write(row.toString());
                out.newLine();
            }
        }
    }
}

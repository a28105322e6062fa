package io.cifarstream.trainer;

import io.cifarstream.schemas.CifarShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.trainer.onnx.OnnxCifarNet;

/**
 * Exports the trained network to ONNX and proves the file computes what DJL computes: on the first
 * {@value #PARITY_IMAGES} test images, ONNX Runtime's log-probabilities must be within {@value #TOLERANCE} of
 * DJL's and every predicted class identical. Otherwise nothing is left at the target path and
 * {@link ExportParityException} says by how much it missed.
 */
public final class ModelExport {
    public static final int PARITY_IMAGES = 1000;
    public static final double TOLERANCE = 1e-4;
    static final String PRODUCER = "cifar-stream trainer (DJL)";

    private ModelExport() {
    }

    /** The export's description for the model file. */
    record Description(Recipe recipe, int epochs, double testAccuracy, List<String> classNames) {
    }

    static ExportResult export(CifarNet net, NetworkScorer scorer, Normalization normalization,
                               Description description, byte[] testPixels, int testCount, Path target)
            throws IOException {
        List<CifarNet.NamedParameter> parameters = net.parameters();
        List<float[]> values = net.parameterValues();
        List<OnnxCifarNet.Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            tensors.add(new OnnxCifarNet.Tensor(parameters.get(i).name(), parameters.get(i).shape(), values.get(i)));
        }
        String version = weightsVersion(values);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ModelMetadata.INPUT, ModelMetadata.INPUT_PIXELS_0_255);
        metadata.put(ModelMetadata.OUTPUT, "log_probs");
        metadata.put(ModelMetadata.CLASSES, String.join(",", description.classNames()));
        metadata.put(ModelMetadata.RECIPE, description.recipe().name());
        metadata.put(ModelMetadata.EPOCHS, Integer.toString(description.epochs()));
        metadata.put(ModelMetadata.TEST_ACCURACY, String.format(Locale.ROOT, "%.4f", description.testAccuracy()));
        metadata.put(ModelMetadata.VERSION, version);
        float[] scale = new float[3];
        float[] shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = normalization.scale(c);
            shift[c] = normalization.shift(c);
        }
        ModelProto model = OnnxCifarNet.model(tensors, scale, shift, metadata, PRODUCER, producerVersion());

        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path candidate = Files.createTempFile(directory, "model-", ".onnx.partial");
        try {
            OnnxModels.write(model, candidate);
            int count = Math.min(PARITY_IMAGES, testCount);
            double maxDifference = checkParity(candidate, scorer, testPixels, count);
            Files.move(candidate, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new ExportResult(target, version, count, maxDifference);
        } finally {
            Files.deleteIfExists(candidate);
        }
    }

    private static double checkParity(Path candidate, NetworkScorer scorer, byte[] pixels, int count) {
        float[] djl = scorer.logProbabilities(pixels, 0, count);
        float[] onnx = new float[count * CifarShape.CLASSES];
        try (OnnxClassifier classifier = OnnxClassifier.load(candidate, ModelOptions.defaults())) {
            classifier.logProbabilities(pixels, 0, count, onnx);
        }
        double maxDifference = 0;
        int disagreements = 0;
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < CifarShape.CLASSES; k++) {
                int at = i * CifarShape.CLASSES + k;
                double difference = Math.abs(djl[at] - onnx[at]);
                maxDifference = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : Math.max(maxDifference, difference);
            }
            if (OnnxClassifier.predictedClass(djl, i) != OnnxClassifier.predictedClass(onnx, i)) {
                disagreements++;
            }
        }
        if (maxDifference > TOLERANCE || disagreements > 0) {
            throw new ExportParityException(String.format(Locale.ROOT,
                    "ONNX export failed its parity check on %d test images: max |log-prob difference| %.3g "
                            + "(allowed %.0e), %d predicted classes differ; no model was written",
                    count, maxDifference, TOLERANCE, disagreements));
        }
        return maxDifference;
    }

    /** First 16 hex digits of SHA-256 over the weights' float32 little-endian bytes, in forward order. */
    static String weightsVersion(List<float[]> values) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (float[] array : values) {
                ByteBuffer bytes = ByteBuffer.allocate(array.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(array);
                sha.update(bytes.array());
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String producerVersion() {
        String version = ModelExport.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** The exported model does not compute what the trained network computes. */
    public static final class ExportParityException extends IllegalStateException {
        public ExportParityException(String message) {
            super(message);
        }
    }
}

package io.cifarstream.evaluate;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.metrics.ConfidenceEstimate;
import io.cifarstream.metrics.ConfidenceEstimateAccumulator;
import io.cifarstream.metrics.ReferenceSet;
import io.cifarstream.testkit.CifarTestData;
import io.cifarstream.testkit.ForeignModel;

/**
 * A measurement, not a test (nothing is asserted; run on demand): how far the label-free accuracy estimates of
 * metrics-core are from the realized accuracy, for the foreign model (testkit's PyTorch-exported CNN) in ONNX
 * Runtime. Calibrated on one half of the CIFAR-10 test split, estimated on the other half: clean, and under rough
 * stand-ins for seven CIFAR-10-C corruptions at severities 1 to 5 (Hendrycks and Dietterich's constants, simplified
 * implementations with fixed seeds: not the dataset module's corruptions). docs/metrics.md quotes its output. Run:
 *
 * <pre>
 *   mvn -B -o -pl evaluation -am test -Dtest=LabelFreeEstimateMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dcifarstream.measureEstimates=true \
 *       [-Dcifarstream.predictionsFixture=$PWD/metrics-core/src/test/resources/io/cifarstream/metrics/foreign-cnn-test-predictions.bin]
 * </pre>
 *
 * The second property also writes the clean split's predictions as the fixture metrics-core's tests read: per image
 * in test-split order, 73 bytes: the label (1 byte), 10 float32 log-probabilities and 8 float32
 * {@link ImageStatistics}, little-endian.
 */
@EnabledIfSystemProperty(named = "cifarstream.measureEstimates", matches = "true")
class LabelFreeEstimateMeasurement {

    private static final int CLASSES = 10;
    private static final int PIXELS = 3 * 32 * 32;

    /** Hendrycks and Dietterich's constants (make_cifar_c.py), severities 1 to 5. */
    private static final double[] GAUSSIAN_SIGMA = {0.04, 0.06, 0.08, 0.09, 0.10};
    private static final double[] SHOT_PHOTONS = {500, 250, 100, 75, 50};
    private static final double[] IMPULSE_AMOUNT = {0.01, 0.02, 0.03, 0.05, 0.07};
    private static final double[] CONTRAST_FACTOR = {0.75, 0.5, 0.4, 0.3, 0.15};
    private static final double[] BRIGHTNESS_SHIFT = {0.05, 0.1, 0.15, 0.2, 0.3};
    private static final int[] PIXELATE_SIDE = {30, 29, 27, 24, 21};
    private static final float[] JPEG_QUALITY = {0.80f, 0.65f, 0.58f, 0.50f, 0.40f};
    /** The nine shifted sets of the project's target (and of the peer figures). */
    private static final List<String> TARGET_SETS = List.of("gaussian_noise-3", "shot_noise-3", "impulse_noise-3",
            "contrast-3", "brightness-3", "pixelate-3", "jpeg-3", "gaussian_noise-5", "contrast-5");

    @Test
    void estimatesOnCleanAndShiftedHalves(@TempDir Path dir) throws IOException {
        CifarImages test = CifarTestData.testSplit();
        int n = test.size();
        int half = n / 2;
        // -Dcifarstream.calibrateOn=second swaps the halves: a second draw of the same measurement.
        int referenceStart = System.getProperty("cifarstream.calibrateOn", "first").equals("second") ? half : 0;
        int targetStart = half - referenceStart;
        ModelOptions conventions = ModelOptions.defaults().withNormalization(ForeignModel.MEAN, ForeignModel.STD)
                .withOutput(OutputKind.LOGITS);
        try (OnnxClassifier model = OnnxClassifier.load(ForeignModel.copyTo(dir, "foreign_cnn.onnx"), conventions, 256)) {
            float[][] logProbs = score(model, test.pixels(), 0, n);
            String fixture = System.getProperty("cifarstream.predictionsFixture", "");
            if (!fixture.isBlank()) {
                writeFixture(Path.of(fixture), test, logProbs);
            }
            ReferenceSet reference = new ReferenceSet(CLASSES);
            for (int i = referenceStart; i < referenceStart + half; i++) {
                reference.add(test.label(i), logProbs[i]);
            }
            Calibration calibration = reference.calibration();
            System.out.printf(Locale.ROOT, "reference: images %d..%d, accuracy %.4f, T = %.4f, ATC threshold %.4f%n",
                    referenceStart, referenceStart + half - 1, calibration.referenceAccuracy(),
                    calibration.temperature(), calibration.atcThreshold());

            Map<String, UnaryOperator<byte[]>> shifts = new LinkedHashMap<>();
            shifts.put("clean", pixels -> pixels);
            for (int s = 0; s < 5; s++) {
                int severity = s;
                shifts.put("gaussian_noise-" + (s + 1), pixels -> gaussianNoise(pixels, GAUSSIAN_SIGMA[severity], 1));
                shifts.put("shot_noise-" + (s + 1), pixels -> shotNoise(pixels, SHOT_PHOTONS[severity], 2));
                shifts.put("impulse_noise-" + (s + 1), pixels -> impulseNoise(pixels, IMPULSE_AMOUNT[severity], 3));
                shifts.put("contrast-" + (s + 1), pixels -> contrast(pixels, CONTRAST_FACTOR[severity]));
                shifts.put("brightness-" + (s + 1), pixels -> brightness(pixels, BRIGHTNESS_SHIFT[severity]));
                shifts.put("pixelate-" + (s + 1), pixels -> pixelate(pixels, PIXELATE_SIDE[severity]));
                shifts.put("jpeg-" + (s + 1), pixels -> jpeg(pixels, JPEG_QUALITY[severity]));
            }
            System.out.println("errors in points (estimate - realized accuracy)");
            System.out.println("set               accuracy      AC     ATC      ATC-NE  estimated_accuracy");
            double[] allSets = new double[4];
            double[] targetSets = new double[4];
            byte[] target = Arrays.copyOfRange(test.pixels(), targetStart * PIXELS, (targetStart + half) * PIXELS);
            for (Map.Entry<String, UnaryOperator<byte[]>> shift : shifts.entrySet()) {
                float[][] shifted = score(model, shift.getValue().apply(target.clone()), 0, half);
                ConfidenceEstimateAccumulator estimates = new ConfidenceEstimateAccumulator(calibration);
                long correct = 0;
                for (int i = 0; i < half; i++) {
                    estimates.add(shifted[i]);
                    correct += argMax(shifted[i]) == test.label(targetStart + i) ? 1 : 0;
                }
                ConfidenceEstimate e = estimates.snapshot();
                double accuracy = (double) correct / half;
                double[] errors = {e.estimatedAccuracyAc() - accuracy, e.estimatedAccuracyAtc() - accuracy,
                    e.estimatedAccuracyAtcNe() - accuracy, e.estimatedAccuracy() - accuracy};
                System.out.printf(Locale.ROOT, "%-16s %9.4f %7.2f %7.2f %11.2f %19.2f%n", shift.getKey(), accuracy,
                        100 * errors[0], 100 * errors[1], 100 * errors[2], 100 * errors[3]);
                for (int j = 0; j < errors.length && !shift.getKey().equals("clean"); j++) {
                    allSets[j] += Math.abs(errors[j]) / (shifts.size() - 1);
                    targetSets[j] += TARGET_SETS.contains(shift.getKey()) ? Math.abs(errors[j]) / TARGET_SETS.size() : 0;
                }
            }
            System.out.printf(Locale.ROOT, "mean absolute error, points, over the %d target sets: AC %.2f, ATC %.2f,"
                    + " ATC-NE %.2f, estimated_accuracy %.2f%n", TARGET_SETS.size(), 100 * targetSets[0],
                    100 * targetSets[1], 100 * targetSets[2], 100 * targetSets[3]);
            System.out.printf(Locale.ROOT, "mean absolute error, points, over all %d shifted sets: AC %.2f, ATC %.2f,"
                    + " ATC-NE %.2f, estimated_accuracy %.2f%n", shifts.size() - 1, 100 * allSets[0],
                    100 * allSets[1], 100 * allSets[2], 100 * allSets[3]);
        }
    }

    private static float[][] score(OnnxClassifier model, byte[] pixels, int first, int count) {
        float[] flat = new float[count * CLASSES];
        model.logProbabilities(pixels, first, count, flat);
        float[][] rows = new float[count][];
        for (int i = 0; i < count; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * CLASSES, (i + 1) * CLASSES);
        }
        return rows;
    }

    /** numpy.argmax: the lowest class on a tie. */
    private static int argMax(float[] row) {
        int best = 0;
        for (int k = 1; k < row.length; k++) {
            best = row[k] > row[best] ? k : best;
        }
        return best;
    }

    private static void writeFixture(Path path, CifarImages test, float[][] logProbs) throws IOException {
        float[] stats = new float[ImageStatistics.LENGTH];
        ByteBuffer out = ByteBuffer.allocate(test.size() * (1 + 4 * (CLASSES + ImageStatistics.LENGTH)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < test.size(); i++) {
            out.put((byte) test.label(i));
            for (float v : logProbs[i]) {
                out.putFloat(v);
            }
            ImageStatistics.compute(test.pixels(), i * PIXELS, 32, 32, stats);
            for (float v : stats) {
                out.putFloat(v);
            }
        }
        try (OutputStream file = Files.newOutputStream(path)) {
            file.write(out.array());
        }
        System.out.println("wrote " + path);
    }

    // ---- rough stand-ins for CIFAR-10-C corruptions (pixels CHW, 8-bit) ------------------------------

    private static int clip(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value * 255)));
    }

    private static byte[] gaussianNoise(byte[] pixels, double sigma, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) clip((pixels[i] & 0xFF) / 255.0 + random.nextGaussian() * sigma);
        }
        return pixels;
    }

    private static byte[] shotNoise(byte[] pixels, double photons, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < pixels.length; i++) {
            double lambda = (pixels[i] & 0xFF) / 255.0 * photons;
            // Poisson by its normal approximation above 30 events, by counting below.
            double events;
            if (lambda > 30) {
                events = Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.nextGaussian()));
            } else {
                double limit = Math.exp(-lambda);
                double product = random.nextDouble();
                int k = 0;
                while (product > limit) {
                    product *= random.nextDouble();
                    k++;
                }
                events = k;
            }
            pixels[i] = (byte) clip(events / photons);
        }
        return pixels;
    }

    private static byte[] impulseNoise(byte[] pixels, double amount, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < pixels.length; i++) {
            if (random.nextDouble() < amount) {
                pixels[i] = (byte) (random.nextBoolean() ? 255 : 0);
            }
        }
        return pixels;
    }

    private static byte[] contrast(byte[] pixels, double factor) {
        for (int image = 0; image < pixels.length / PIXELS; image++) {
            for (int c = 0; c < 3; c++) {
                int start = image * PIXELS + c * 1024;
                double mean = 0;
                for (int i = start; i < start + 1024; i++) {
                    mean += (pixels[i] & 0xFF) / 255.0;
                }
                mean /= 1024;
                for (int i = start; i < start + 1024; i++) {
                    pixels[i] = (byte) clip(((pixels[i] & 0xFF) / 255.0 - mean) * factor + mean);
                }
            }
        }
        return pixels;
    }

    private static byte[] brightness(byte[] pixels, double shift) {
        float[] hsb = new float[3];
        for (int image = 0; image < pixels.length / PIXELS; image++) {
            int base = image * PIXELS;
            for (int p = 0; p < 1024; p++) {
                Color.RGBtoHSB(pixels[base + p] & 0xFF, pixels[base + 1024 + p] & 0xFF, pixels[base + 2048 + p] & 0xFF, hsb);
                int rgb = Color.HSBtoRGB(hsb[0], hsb[1], (float) Math.min(1, hsb[2] + shift));
                pixels[base + p] = (byte) (rgb >> 16);
                pixels[base + 1024 + p] = (byte) (rgb >> 8);
                pixels[base + 2048 + p] = (byte) rgb;
            }
        }
        return pixels;
    }

    /** Box-averages down to side x side, then back up by nearest neighbour. */
    private static byte[] pixelate(byte[] pixels, int side) {
        for (int image = 0; image < pixels.length / PIXELS; image++) {
            for (int c = 0; c < 3; c++) {
                int start = image * PIXELS + c * 1024;
                double[] small = new double[side * side];
                int[] counts = new int[side * side];
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int cell = (y * side / 32) * side + x * side / 32;
                        small[cell] += pixels[start + y * 32 + x] & 0xFF;
                        counts[cell]++;
                    }
                }
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int cell = (y * side / 32) * side + x * side / 32;
                        pixels[start + y * 32 + x] = (byte) Math.round(small[cell] / counts[cell]);
                    }
                }
            }
        }
        return pixels;
    }

    private static byte[] jpeg(byte[] pixels, float quality) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            for (int image = 0; image < pixels.length / PIXELS; image++) {
                int base = image * PIXELS;
                BufferedImage rgb = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 1024; p++) {
                    rgb.setRGB(p % 32, p / 32, (pixels[base + p] & 0xFF) << 16 | (pixels[base + 1024 + p] & 0xFF) << 8
                            | (pixels[base + 2048 + p] & 0xFF));
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(rgb, null, null), param);
                }
                BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
                for (int p = 0; p < 1024; p++) {
                    int value = decoded.getRGB(p % 32, p / 32);
                    pixels[base + p] = (byte) (value >> 16);
                    pixels[base + 1024 + p] = (byte) (value >> 8);
                    pixels[base + 2048 + p] = (byte) value;
                }
            }
            writer.dispose();
            return pixels;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

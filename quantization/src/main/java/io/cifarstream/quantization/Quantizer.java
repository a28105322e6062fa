package io.cifarstream.quantization;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.InputConvention;
import io.cifarstream.inference.ModelMetadata;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.OutputKind;
import io.cifarstream.onnx.GraphIndex;
import io.cifarstream.onnx.OnnxModels;
import io.cifarstream.onnx.proto.Onnx.ModelProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.onnx.proto.Onnx.ValueInfoProto;
import io.cifarstream.schemas.CifarShape;

/**
 * Makes the int8 model of any float32 CIFAR-10 classifier: static QDQ quantization ({@link PixelInput},
 * {@link ChannelPadding}, {@link QuantizationPlan}, {@link QdqRewriter}) with activation ranges calibrated on training
 * images, reading the images' bytes where the first Conv allows it and only the pixels that reach the output
 * ({@link InputCrop}), written with the fp32 model's metadata plus the input and output conventions it now has (so
 * the int8 model needs no convention flags), then checked against the fp32 model on test images ({@link ParityCheck}).
 * The file is put in place only when it passes; otherwise {@link QuantizationParityException} says by how much it
 * missed.
 */
public final class Quantizer {
    /** The ONNX opset whose QuantizeLinear/DequantizeLinear take per-channel scales. */
    static final long MIN_OPSET = 13;

    private Quantizer() {
    }

    /** Where the int8 model of {@code fp32Model} goes by default: {@code model.onnx} → {@code model-int8.onnx}. */
    public static Path besideFp32(Path fp32Model) {
        String name = fp32Model.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return fp32Model.resolveSibling(stem + "-int8.onnx");
    }

    /**
     * Whether {@code int8Model} exists and was made from {@code fp32Model} as it is now (its recorded source version is
     * the fp32 model's version), so it need not be made again.
     */
    public static boolean madeFrom(Path int8Model, Path fp32Model, ModelOptions options) throws IOException {
        if (!Files.isRegularFile(int8Model)) {
            return false;
        }
        String source = OnnxModels.metadata(OnnxModels.read(int8Model)).get(ModelMetadata.SOURCE_VERSION);
        try (OnnxClassifier fp32 = OnnxClassifier.load(fp32Model, options.withThreads(1), 1)) {
            return fp32.version().equals(source);
        }
    }

    /**
     * Quantizes {@code fp32Model} and writes the int8 model to {@code target}.
     *
     * @param options how to run the fp32 model (its conventions, when its metadata declares none)
     * @param train   the training split, calibration's images
     * @param test    the test split, the parity check's and accuracy's images
     */
    public static QuantizationResult quantize(Path fp32Model, ModelOptions options, CifarImages train, CifarImages test,
                                              QuantizationConfig config, Path target) throws IOException {
        String sourceVersion;
        try (OnnxClassifier fp32 = OnnxClassifier.load(fp32Model, options.withThreads(1), 1)) {
            sourceVersion = fp32.version(); // and the model is a CIFAR-10 classifier ONNX Runtime can run
        }
        ModelProto read = OnnxModels.read(fp32Model);
        if (OnnxModels.defaultOpset(read) < MIN_OPSET) {
            throw new ModelNotQuantizableException(fp32Model + " uses ONNX opset " + OnnxModels.defaultOpset(read)
                    + "; quantization needs opset " + MIN_OPSET + " or later: export it again with a newer opset");
        }
        String inputName = imageInput(new GraphIndex(read.getGraph()), fp32Model);
        ModelMetadata metadata = new ModelMetadata(OnnxModels.metadata(read));
        InputConvention fp32Convention = InputConvention.of(metadata, options);
        int calibrationCount = Math.min(config.calibrationImages(), train.size());
        byte[] calibrationImages = spread(train, calibrationCount);
        int pixelZeroPoint = PixelInput.zeroPoint(calibrationImages);
        Optional<ModelProto> folded = PixelInput.fold(read, inputName, fp32Convention, pixelZeroPoint);
        // Folded, the float model reads pixels minus the zero point: calibration feeds them so.
        InputConvention convention = folded.isPresent()
                ? PixelInput.calibrationConvention(pixelZeroPoint) : fp32Convention;
        ModelProto model = ChannelPadding.apply(folded.orElse(read));
        GraphIndex graph = new GraphIndex(model.getGraph());

        QuantizationPlan plan = QuantizationPlan.of(graph, Set.of());
        long computeNodes = model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")).count();
        if (plan.int8Nodes().isEmpty()) {
            throw new ModelNotQuantizableException(fp32Model + " has no Conv or Gemm with constant float32 weights "
                    + "to make int8: quantize a float32 CNN");
        }
        Map<String, ActivationStatistics> statistics = new Calibrator(model, inputName, convention)
                .measure(plan.sources(), calibrationImages, calibrationCount);
        Map<String, UInt8Quantization> activations = new HashMap<>();
        statistics.forEach((tensor, seen) -> activations.put(tensor, UInt8Quantization.of(config.method().range(seen))));
        if (folded.isPresent()) {
            // The bytes themselves, whatever calibration saw: scale 1 and the zero point hold every pixel exactly.
            activations.put(PixelInput.pixelsReadByFirstConv(model, inputName),
                    new UInt8Quantization(1f, pixelZeroPoint));
        }
        ModelProto rewritten = new QdqRewriter(graph, plan, activations).rewrite(model);
        ModelProto withInput = folded.isPresent() ? PixelInput.bytes(rewritten, inputName) : rewritten;
        // After calibration and the rewrite: the int8 model computes what it would uncropped, less what nothing reads.
        InputCrop crop = InputCrop.of(withInput, inputName);
        ModelProto quantized = crop.apply();

        String version = graphHash(quantized);
        String description = String.format(Locale.ROOT, "int8 static QDQ: %d of %d Conv/Gemm in int8 (per-channel "
                + "symmetric int8 weights, uint8 activations), %s%s, calibration %s on %d training images",
                plan.int8Nodes().size(), computeNodes, folded.isPresent() ? "input the images' bytes (zero point "
                        + pixelZeroPoint + ")" : "float32 input",
                crop.crops() ? String.format(Locale.ROOT, ", reading the %dx%d pixels that reach its output",
                        crop.rows(), crop.columns()) : "",
                config.method().spelling(), calibrationCount);
        Map<String, String> int8Metadata = new LinkedHashMap<>(metadata.properties());
        int8Metadata.remove(ModelMetadata.INPUT_MEAN);
        int8Metadata.remove(ModelMetadata.INPUT_STD);
        int8Metadata.putAll((folded.isPresent() ? InputConvention.rawPixels() : convention).metadata());
        int8Metadata.put(ModelMetadata.OUTPUT, metadata.output()
                .orElse(options.output().orElse(OutputKind.LOGITS)).metadataName());
        int8Metadata.put(ModelMetadata.QUANTIZATION, description);
        int8Metadata.put(ModelMetadata.SOURCE_VERSION, sourceVersion);
        int8Metadata.put(ModelMetadata.VERSION, version);

        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path candidate = Files.createTempFile(directory, "model-int8-", ".onnx.partial");
        try {
            OnnxModels.write(OnnxModels.withMetadata(quantized, int8Metadata), candidate);
            ParityReport parity = ParityCheck.run(fp32Model, candidate, options, test, config.parityImages());
            if (!(parity.agreement() >= config.minAgreement())) {
                throw new QuantizationParityException(String.format(Locale.ROOT,
                        "the int8 model predicts the fp32 model's class on only %.1f%% of %d test images (at least "
                                + "%.1f%% needed; max |log-prob difference| on that class %.3g): no int8 model was "
                                + "written; try another calibration method or more calibration images",
                        100 * parity.agreement(), parity.parityImages(), 100 * config.minAgreement(),
                        parity.maxLogProbDifference()));
            }
            int8Metadata.put(ModelMetadata.TEST_ACCURACY, String.format(Locale.ROOT, "%.4f", parity.int8Accuracy()));
            OnnxModels.write(OnnxModels.withMetadata(quantized, int8Metadata), candidate);
            Files.move(candidate, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new QuantizationResult(target, version, config.method(), calibrationCount, plan.int8Nodes().size(),
                    (int) computeNodes, parity);
        } finally {
            Files.deleteIfExists(candidate);
        }
    }

    /** The one graph input that is not an initializer. */
    private static String imageInput(GraphIndex graph, Path file) {
        Set<String> inputs = graph.graph().getInputList().stream().map(ValueInfoProto::getName)
                .filter(name -> graph.initializer(name).isEmpty()).collect(Collectors.toSet());
        if (inputs.size() != 1) {
            throw new ModelNotQuantizableException(file + " has inputs " + inputs + "; a CIFAR-10 classifier has one");
        }
        String input = inputs.iterator().next();
        int type = graph.graph().getInputList().stream().filter(v -> v.getName().equals(input)).findFirst()
                .orElseThrow().getType().getTensorType().getElemType();
        if (type != TensorProto.DataType.FLOAT_VALUE) {
            throw new ModelNotQuantizableException(file + " takes " + TensorProto.DataType.forNumber(type)
                    + " input; quantization calibrates float32 models");
        }
        return input;
    }

    /** {@code count} images spread evenly over {@code split}, back to back. */
    static byte[] spread(CifarImages split, int count) {
        byte[] pixels = new byte[count * CifarShape.PIXELS];
        for (int i = 0; i < count; i++) {
            int from = (int) ((long) i * split.size() / count);
            System.arraycopy(split.pixels(), from * CifarShape.PIXELS, pixels, i * CifarShape.PIXELS, CifarShape.PIXELS);
        }
        return pixels;
    }

    /** First 16 hex digits of SHA-256 over the serialized graph: changes with every weight and range. */
    private static String graphHash(ModelProto model) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(model.getGraph().toByteArray());
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}

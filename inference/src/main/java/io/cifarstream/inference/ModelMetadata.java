package io.cifarstream.inference;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The metadata_props keys a cifar-stream model carries in its .onnx file; the trainer and the quantizer write them,
 * every reader (evaluate, the scorer) reads them here. The input and output conventions a model declares win over
 * {@link ModelOptions}; a model without them is a "foreign" model: its conventions come from {@link ModelOptions}.
 */
public record ModelMetadata(Map<String, String> properties) {
    /** Input convention; {@value #INPUT_PIXELS_0_255} = raw 0-255 pixel values, normalization inside the graph. */
    public static final String INPUT = "cifarstream.input";
    public static final String INPUT_PIXELS_0_255 = "pixels_0_255";
    /**
     * Input convention {@value #INPUT_NORMALIZED}: pixels scaled to [0,1], minus {@link #INPUT_MEAN}, divided by
     * {@link #INPUT_STD} (each "R,G,B"), like torchvision's Normalize.
     */
    public static final String INPUT_NORMALIZED = "normalized";
    public static final String INPUT_MEAN = "cifarstream.input_mean";
    public static final String INPUT_STD = "cifarstream.input_std";
    /** Output convention: {@code log_probs}, {@code logits} or {@code probs}. */
    public static final String OUTPUT = "cifarstream.output";
    /** Class names, comma-separated, in output order. */
    public static final String CLASSES = "cifarstream.classes";
    public static final String RECIPE = "cifarstream.recipe";
    public static final String EPOCHS = "cifarstream.epochs";
    public static final String TEST_ACCURACY = "cifarstream.test_accuracy";
    /** A content hash of the weights: the model version carried by every prediction. */
    public static final String VERSION = "cifarstream.version";
    /** How an int8 model was made from its fp32 model (method, calibration), absent in fp32 models. */
    public static final String QUANTIZATION = "cifarstream.quantization";
    /** The version of the fp32 model an int8 model was made from. */
    public static final String SOURCE_VERSION = "cifarstream.source_version";

    public ModelMetadata {
        properties = Map.copyOf(properties);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /** True when the graph takes raw 0-255 pixels and normalizes them itself. */
    public boolean takesRawPixels() {
        return INPUT_PIXELS_0_255.equals(properties.get(INPUT));
    }

    public Optional<OutputKind> output() {
        return get(OUTPUT).map(OutputKind::parse);
    }

    public Optional<List<String>> classNames() {
        return get(CLASSES).map(s -> Arrays.stream(s.split(",")).map(String::trim).toList());
    }
}

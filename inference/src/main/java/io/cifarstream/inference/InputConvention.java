package io.cifarstream.inference;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.cifarstream.console.Setting;
import io.cifarstream.schemas.CifarShape;

/**
 * How a float-input model wants its pixels: raw 0-255 values (a cifar-stream model normalizes inside its graph), or
 * {@code (x/255 - mean[c]) / std[c]} like torchvision's Normalize. Computed as {@code x * scale[c] + shift[c]} in
 * float32. The model's metadata decides when it declares a convention; otherwise {@link ModelOptions} does.
 */
public final class InputConvention {
    private final boolean rawPixels;
    private final float[] mean;
    private final float[] std;
    private final float[] scale = new float[CifarShape.CHANNELS];
    private final float[] shift = new float[CifarShape.CHANNELS];

    private InputConvention(boolean rawPixels, float[] mean, float[] std) {
        this.rawPixels = rawPixels;
        this.mean = mean.clone();
        this.std = std.clone();
        for (int c = 0; c < CifarShape.CHANNELS; c++) {
            scale[c] = rawPixels ? 1f : 1f / (255f * std[c]);
            shift[c] = rawPixels ? 0f : -mean[c] / std[c];
        }
    }

    /** Raw 0-255 pixel values. */
    public static InputConvention rawPixels() {
        return new InputConvention(true, new float[CifarShape.CHANNELS], new float[] {1, 1, 1});
    }

    /** Pixels scaled to [0,1], minus {@code mean}, divided by {@code std}, per channel. */
    public static InputConvention normalized(float[] mean, float[] std) {
        return new InputConvention(false, mean, std);
    }

    /** The model's declared convention, else the options' normalization (default mean 0, std 1). */
    public static InputConvention of(ModelMetadata metadata, ModelOptions options) {
        if (metadata.takesRawPixels()) {
            return rawPixels();
        }
        if (metadata.get(ModelMetadata.INPUT).filter(ModelMetadata.INPUT_NORMALIZED::equals).isPresent()) {
            return normalized(channels(metadata, ModelMetadata.INPUT_MEAN), channels(metadata, ModelMetadata.INPUT_STD));
        }
        return normalized(options.inputMean().orElse(new float[CifarShape.CHANNELS]),
                options.inputStd().orElse(new float[] {1, 1, 1}));
    }

    /** The factor channel {@code c}'s 0-255 pixel values are multiplied by. */
    public float scale(int c) {
        return scale[c];
    }

    /** What is added to channel {@code c}'s pixel values after {@link #scale}. */
    public float shift(int c) {
        return shift[c];
    }

    /** The metadata_props that declare this convention. */
    public Map<String, String> metadata() {
        Map<String, String> declared = new LinkedHashMap<>();
        if (rawPixels) {
            declared.put(ModelMetadata.INPUT, ModelMetadata.INPUT_PIXELS_0_255);
        } else {
            declared.put(ModelMetadata.INPUT, ModelMetadata.INPUT_NORMALIZED);
            declared.put(ModelMetadata.INPUT_MEAN, join(mean));
            declared.put(ModelMetadata.INPUT_STD, join(std));
        }
        return declared;
    }

    /**
     * Writes the {@code count} images from byte {@code start} of {@code pixels} (CHW, 8-bit) into {@code dst} from
     * index 0, converted by this convention.
     */
    public void fill(byte[] pixels, int start, int count, FloatBuffer dst) {
        int plane = CifarShape.SIDE * CifarShape.SIDE;
        int p = start;
        int q = 0;
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < CifarShape.CHANNELS; c++) {
                float a = scale[c];
                float b = shift[c];
                for (int j = 0; j < plane; j++) {
                    dst.put(q++, (pixels[p++] & 0xFF) * a + b);
                }
            }
        }
    }

    private static float[] channels(ModelMetadata metadata, String key) {
        String text = metadata.get(key).orElse("");
        String[] parts = text.split(",");
        try {
            if (parts.length != CifarShape.CHANNELS) {
                throw new NumberFormatException(text);
            }
            float[] values = new float[CifarShape.CHANNELS];
            for (int c = 0; c < values.length; c++) {
                values[c] = Float.parseFloat(parts[c].trim());
            }
            return values;
        } catch (NumberFormatException e) {
            throw new ModelUnusableException(Setting.MODEL, "the model declares normalized input but its " + key
                    + " is '" + text + "', not three numbers R,G,B: write the metadata again", e);
        }
    }

    private static String join(float[] values) {
        StringBuilder text = new StringBuilder();
        for (float v : values) {
            text.append(text.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", v));
        }
        return text.toString();
    }
}

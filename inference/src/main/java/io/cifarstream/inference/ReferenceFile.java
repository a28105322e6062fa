package io.cifarstream.inference;

import io.cifarstream.metrics.Calibration;
import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.metrics.ReferenceSet;
import io.cifarstream.schemas.CifarShape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.function.IntConsumer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A model's reference statistics, stored beside it as {@code <name>.reference.json} (for {@code model.onnx}:
 * {@code model.reference.json}): the metrics-core {@link Calibration} fitted on labelled reference images the model
 * did not train on, and the model version it was made for. It is made by running the model file itself with ONNX
 * Runtime, as the scorer does, so its confidences are those the scorer's predictions will carry.
 *
 * <pre>{@code
 * {
 *   "version": 1,                        // this layout
 *   "model_version": "3f1c0a9e5b7d2e41",  // the model's version (OnnxClassifier.version()) it was made for
 *   "reference_data": "CIFAR-10 train split: 5,000 held-out validation images",
 *   "calibration": { ... }               // Calibration JSON, versioned by its own "version"
 * }
 * }</pre>
 *
 * @param version       {@value #VERSION}, the layout above
 * @param modelVersion  the version of the model the statistics were made with; they apply to it only
 * @param referenceData what the reference images were, for people reading the file
 * @param calibration   the statistics
 */
@JsonPropertyOrder({ReferenceFile.VERSION_FIELD, ReferenceFile.MODEL_VERSION, ReferenceFile.REFERENCE_DATA,
        ReferenceFile.CALIBRATION})
public record ReferenceFile(
        @JsonProperty(VERSION_FIELD) int version,
        @JsonProperty(MODEL_VERSION) String modelVersion,
        @JsonProperty(REFERENCE_DATA) String referenceData,
        @JsonProperty(CALIBRATION) Calibration calibration) {

    /** The layout this code reads and writes. */
    public static final int VERSION = 1;
    /** What follows a model file's name without {@code .onnx}. */
    public static final String SUFFIX = ".reference.json";
    static final String VERSION_FIELD = "version";
    static final String MODEL_VERSION = "model_version";
    static final String REFERENCE_DATA = "reference_data";
    static final String CALIBRATION = "calibration";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ReferenceFile {
        if (version != VERSION) {
            throw new IllegalArgumentException("reference file layout " + version + " is not " + VERSION);
        }
        Objects.requireNonNull(modelVersion, MODEL_VERSION);
        Objects.requireNonNull(referenceData, REFERENCE_DATA);
        Objects.requireNonNull(calibration, CALIBRATION);
    }

    /** Where the reference file of {@code model} sits: {@code dir/name.onnx} has {@code dir/name.reference.json}. */
    public static Path beside(Path model) {
        String name = String.valueOf(model.getFileName());
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
        return model.resolveSibling(stem + SUFFIX);
    }

    /**
     * Runs {@code model} on labelled images {@code 0 .. count-1} of {@code pixels} (CHW, {@link CifarShape#PIXELS}
     * bytes each) and fits its reference: every image's log-probabilities, label and {@link ImageStatistics} go
     * into a {@link ReferenceSet}. Reports each batch's size to {@code progress}.
     *
     * @param referenceData what the images are, in words (kept in the file)
     */
    public static ReferenceFile measure(OnnxClassifier model, byte[] pixels, byte[] labels, int count,
            String referenceData, IntConsumer progress) {
        if (count < 1 || labels.length < count || pixels.length < (long) count * CifarShape.PIXELS) {
            throw new IllegalArgumentException("a reference needs 1 or more labelled images, got " + count + " of "
                    + labels.length + " labels");
        }
        ReferenceSet reference = new ReferenceSet(CifarShape.CLASSES);
        int batch = model.maxBatch();
        float[] out = new float[batch * CifarShape.CLASSES];
        float[] stats = new float[ImageStatistics.LENGTH];
        for (int first = 0; first < count; first += batch) {
            int n = Math.min(batch, count - first);
            model.logProbabilities(pixels, first, n, out);
            for (int i = 0; i < n; i++) {
                int image = first + i;
                ImageStatistics.compute(pixels, image * CifarShape.PIXELS, CifarShape.SIDE, CifarShape.SIDE, stats);
                float[] row = new float[CifarShape.CLASSES];
                System.arraycopy(out, i * CifarShape.CLASSES, row, 0, CifarShape.CLASSES);
                reference.add(labels[image], row, stats);
            }
            progress.accept(n);
        }
        return new ReferenceFile(VERSION, model.version(), referenceData, reference.calibration());
    }

    /** The JSON form. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ReferenceFile always serializes", e);
        }
    }

    /** Writes the file (replacing it at once, never leaving half a file under its name). */
    public void write(Path file) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path partial = Files.createTempFile(directory, String.valueOf(file.getFileName()), ".partial");
        try {
            Files.writeString(partial, toJson() + "\n", StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Reads a reference file.
     *
     * @throws ReferenceFileException when it is missing, unreadable or not a reference file of this layout
     */
    public static ReferenceFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ReferenceFileException("no reference file at " + file, e);
        } catch (IOException e) {
            throw new ReferenceFileException("cannot read the reference file " + file + " (" + e.getMessage() + ")",
                    e);
        }
        try {
            return JSON.readValue(text, ReferenceFile.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            throw new ReferenceFileException(file + " is not a reference file of layout " + VERSION + " ("
                    + cause.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    /**
     * The reference of the model of version {@code modelVersion} at {@code model}: the file beside it, if it is
     * there, readable, and made for that version.
     */
    public static ReferenceLookup lookUp(Path model, String modelVersion) {
        Path file = beside(model);
        if (!Files.exists(file)) {
            return ReferenceLookup.unavailable(file, "no reference file at " + file);
        }
        return forVersion(file, modelVersion);
    }

    /** The reference in {@code file}, if it was made for the model of version {@code modelVersion}. */
    public static ReferenceLookup forVersion(Path file, String modelVersion) {
        ReferenceFile reference;
        try {
            reference = read(file);
        } catch (ReferenceFileException e) {
            return ReferenceLookup.unavailable(file, e.reason());
        }
        if (!reference.modelVersion().equals(modelVersion)) {
            return ReferenceLookup.unavailable(file, "the reference file " + file + " was made for model version "
                    + reference.modelVersion() + ", not " + modelVersion);
        }
        return ReferenceLookup.found(file, reference);
    }
}

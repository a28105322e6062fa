package io.cifarstream.scorer;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code --model [ID=]PATH}: the id every prediction of this model carries, and the ONNX file. Without
 * an explicit id the file name without {@code .onnx} is the id, e.g. {@code models/cifar-cnn.onnx} is
 * {@code cifar-cnn}.
 */
public record ModelSpec(String id, Path path) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public ModelSpec {
        Objects.requireNonNull(path, "path");
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("model id '" + id + "' is not usable: use 1 to 64 letters, digits,"
                    + " '.', '_' or '-', e.g. champion=models/cnn.onnx");
        }
    }

    /** Parses {@code PATH} or {@code ID=PATH}. */
    public static ModelSpec parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            Path path = Path.of(text);
            return new ModelSpec(defaultId(path), path);
        }
        if (eq == 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("model '" + text + "' needs an id and a path on either side of '=',"
                    + " e.g. challenger=models/new.onnx, or just the path");
        }
        return new ModelSpec(text.substring(0, eq), Path.of(text.substring(eq + 1)));
    }

    private static String defaultId(Path path) {
        Path fileName = path.getFileName();
        String name = fileName == null ? "" : fileName.toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
    }

    @Override
    public String toString() {
        return id + "=" + path;
    }
}

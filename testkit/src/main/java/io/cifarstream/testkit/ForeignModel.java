package io.cifarstream.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The "foreign model" fixture: the seed CNN trained briefly in PyTorch and exported with {@code torch.onnx.export}
 * the way a PyTorch user would, taking torchvision-normalized input (mean 0.5, std 0.5 per channel) and returning
 * logits, with the figures PyTorch and scikit-learn computed for it (see {@code src/test/python/make_foreign_model.py}).
 * A model the project did not make, so tests of the foreign-model path use real weights, not invented ones.
 */
public final class ForeignModel {
    /** Per-channel mean and standard deviation of its input convention (pixels scaled to [0,1]). */
    public static final float[] MEAN = {0.5f, 0.5f, 0.5f};
    public static final float[] STD = {0.5f, 0.5f, 0.5f};

    private ForeignModel() {
    }

    /** Copies the model into {@code dir} as {@code fileName} and returns its path. */
    public static Path copyTo(Path dir, String fileName) {
        return copy("foreign_cnn.onnx", dir.resolve(fileName));
    }

    /** Copies one of the fixture's files ({@code foreign_cnn_expected.json}, ...) to {@code target}. */
    public static Path copy(String resource, Path target) {
        try (InputStream in = ForeignModel.class.getResourceAsStream("/foreign/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture file foreign/" + resource + " in testkit");
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of one of the fixture's files. */
    public static String read(String resource) {
        try (InputStream in = ForeignModel.class.getResourceAsStream("/foreign/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture file foreign/" + resource + " in testkit");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

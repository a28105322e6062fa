package io.cifarstream.scorer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;

/**
 * One {@code --model}: its id and the classifier loaded from its file, swapped for a fresh one when the file
 * changes (modification time or size). The scoring thread checks between batches, so every batch is scored by
 * one version of each model and no record is lost across a swap. A file that does not load (half written,
 * broken) leaves the current version in place; it is tried again once the file changes again.
 * Not thread-safe: owned by the scoring thread.
 */
final class ScoringModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringModel.class);

    private final ModelSpec spec;
    private final ModelOptions options;
    private final int maxBatch;
    private OnnxClassifier classifier;
    private FileSignature lastSeen;

    private ScoringModel(ModelSpec spec, ModelOptions options, int maxBatch, OnnxClassifier classifier,
            FileSignature signature) {
        this.spec = spec;
        this.options = options;
        this.maxBatch = maxBatch;
        this.classifier = classifier;
        this.lastSeen = signature;
    }

    /** Loads the model; failures are {@link io.cifarstream.console.UserFixable} errors naming the file and the fix. */
    static ScoringModel load(ModelSpec spec, ModelOptions options, int maxBatch) {
        // The signature is taken first, so a change made while loading is seen by the next check.
        FileSignature signature = Files.isRegularFile(spec.path()) ? FileSignature.of(spec) : null;
        return new ScoringModel(spec, options, maxBatch, OnnxClassifier.load(spec.path(), options, maxBatch), signature);
    }

    String id() {
        return spec.id();
    }

    String version() {
        return classifier.version();
    }

    OnnxClassifier classifier() {
        return classifier;
    }

    /** Reloads the model if its file changed since it was last looked at; true when a new classifier is in use. */
    boolean reloadIfChanged() {
        FileSignature now;
        try {
            now = FileSignature.of(spec);
        } catch (UserError e) {
            if (lastSeen != null) {
                LOG.warn("Model {}: {}; scoring on with version {}", spec.id(), e.getMessage(), version());
            }
            lastSeen = null;
            return false;
        }
        if (now.equals(lastSeen)) {
            return false;
        }
        lastSeen = now;
        OnnxClassifier fresh;
        try {
            fresh = OnnxClassifier.load(spec.path(), options, maxBatch);
        } catch (RuntimeException e) {
            LOG.warn("Model {} changed but does not load ({}); scoring on with version {} until the file changes again",
                    spec.id(), e.getMessage(), version());
            return false;
        }
        String old = version();
        classifier.close();
        classifier = fresh;
        LOG.info("Model {} reloaded from {}: version {} -> {}", spec.id(), spec.path(), old, fresh.version());
        return true;
    }

    @Override
    public void close() {
        classifier.close();
    }

    /** What identifies one state of a file cheaply, without reading it. */
    private record FileSignature(FileTime modified, long size) {
        static FileSignature of(ModelSpec spec) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(spec.path(), BasicFileAttributes.class);
                return new FileSignature(attributes.lastModifiedTime(), attributes.size());
            } catch (IOException e) {
                throw new UserError(Setting.MODEL, "cannot read model " + spec.id() + " at " + spec.path()
                        + " (" + e + "): give the path of an .onnx file");
            }
        }
    }
}

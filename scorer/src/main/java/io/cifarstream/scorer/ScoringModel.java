package io.cifarstream.scorer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cifarstream.console.Setting;
import io.cifarstream.console.UserError;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;
import io.cifarstream.inference.ReferenceLookup;
import io.cifarstream.schemas.ModelReference;

/**
 * One {@code --model}: its id and the classifier loaded from its file, swapped for a fresh one when the file
 * changes (modification time or size). The scoring thread checks between batches, so every batch is scored by
 * one version of each model and no record is lost across a swap. A file that does not load (half written,
 * broken) leaves the current version in place; it is tried again once the file changes again.
 *
 * <p>Each version in use has a reference to publish when the {@link ReferenceFile} beside the model was made for
 * it: looked up when the model loads or reloads, and again whenever the reference file changes (a {@code calibrate}
 * run while scoring). When there is none, the log says once per version and file state why, and how to make one.
 * Not thread-safe: owned by the scoring thread.
 */
final class ScoringModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringModel.class);

    private final ModelSpec spec;
    private final ModelOptions options;
    private final int maxBatch;
    private final Path referenceFile;
    private OnnxClassifier classifier;
    private FileSignature lastSeen;
    private Optional<FileSignature> referenceSeen;
    private ModelReference unpublished;

    private ScoringModel(ModelSpec spec, ModelOptions options, int maxBatch, OnnxClassifier classifier,
            FileSignature signature) {
        this.spec = spec;
        this.options = options;
        this.maxBatch = maxBatch;
        this.classifier = classifier;
        this.lastSeen = signature;
        this.referenceFile = ReferenceFile.beside(spec.path());
        lookUpReference();
    }

    /** Loads the model; failures are {@link io.cifarstream.console.UserFixable} errors naming the file and the fix. */
    static ScoringModel load(ModelSpec spec, ModelOptions options, int maxBatch) {
        // The signature is taken first, so a change made while loading is seen by the next check.
        FileSignature signature = Files.isRegularFile(spec.path()) ? FileSignature.of(spec.path()) : null;
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

    /**
     * The reference of the version in use, if it has one that has not been handed out yet; handed out once. Whoever
     * takes it publishes it (and keeps it until that succeeded).
     */
    Optional<ModelReference> takeReference() {
        Optional<ModelReference> taken = Optional.ofNullable(unpublished);
        unpublished = null;
        return taken;
    }

    /**
     * Reloads the model if its file changed since it was last looked at, and looks up its reference again if the
     * reference file changed; true when a new classifier is in use.
     */
    boolean reloadIfChanged() {
        boolean reloaded = reloadModelIfChanged();
        if (!reloaded && !referenceSignature().equals(referenceSeen)) {
            lookUpReference();
        }
        return reloaded;
    }

    private boolean reloadModelIfChanged() {
        FileSignature now;
        try {
            now = FileSignature.of(spec.path());
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
        lookUpReference();
        return true;
    }

    /** Finds the reference of the version in use, to be published, or says once why there is none. */
    private void lookUpReference() {
        // Taken first, so a change made while reading is seen by the next check.
        referenceSeen = referenceSignature();
        ReferenceLookup lookup = ReferenceFile.lookUp(spec.path(), version());
        unpublished = lookup.reference().map(reference -> ModelReference.newBuilder()
                .setModelId(spec.id())
                .setModelVersion(reference.modelVersion())
                .setCalibrationJson(reference.calibration().toJson())
                .setSource(lookup.file().toAbsolutePath().toString())
                .setPublishedTime(Instant.EPOCH) // set when it is sent
                .build()).orElse(null);
        if (unpublished != null) {
            LOG.info("Model {} version {}: reference statistics from {} ({})", spec.id(), version(), lookup.file(),
                    lookup.reference().get().referenceData());
        } else {
            // Information, not a warning: the model scores as well without one, and the metrics stream says why its
            // estimates are missing.
            LOG.info("Model {} version {}: label-free estimates and drift checks are unavailable for it: {}",
                    spec.id(), version(), lookup.explanation());
        }
    }

    private Optional<FileSignature> referenceSignature() {
        try {
            return Files.exists(referenceFile) ? Optional.of(FileSignature.of(referenceFile)) : Optional.empty();
        } catch (UserError e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        classifier.close();
    }

    /** What identifies one state of a file cheaply, without reading it. */
    private record FileSignature(FileTime modified, long size) {
        static FileSignature of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileSignature(attributes.lastModifiedTime(), attributes.size());
            } catch (IOException e) {
                throw new UserError(Setting.MODEL, "cannot read " + file + " (" + e + "): give the path of an .onnx"
                        + " file");
            }
        }
    }
}

package io.cifarstream.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.inference.ModelOptions;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.inference.ReferenceFile;

/**
 * A model's reference file fitted on the training images held out of its training ({@link ValidationSplit}).
 */
public final class HoldoutReference {
    private HoldoutReference() {
    }

    /**
     * Measures the exported model, run by ONNX Runtime as the scorer runs it, on the held-out images and writes its
     * reference file beside it. The log-probabilities are the network's own: the temperature is a fitted fact about
     * them, applied by whoever reads the reference, never baked into the model.
     */
    public static ReferenceFile write(Path model, CifarImages validation, int threads) throws IOException {
        String data = String.format(Locale.ROOT, "CIFAR-10 train split: %,d images held out of training (seed %d)",
                validation.size(), ValidationSplit.SEED);
        ReferenceFile reference;
        try (OnnxClassifier classifier = OnnxClassifier.load(model, ModelOptions.defaults().withThreads(threads))) {
            reference = ReferenceFile.measure(classifier, validation.pixels(), validation.labels(), validation.size(),
                    data, images -> { });
        }
        reference.write(ReferenceFile.beside(model));
        return reference;
    }
}

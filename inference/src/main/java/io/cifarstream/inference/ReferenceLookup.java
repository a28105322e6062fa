package io.cifarstream.inference;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a model has usable reference statistics: the {@link ReferenceFile} made for its version, or why there
 * is none (no file, a file made for another version, a broken file).
 *
 * @param file      where the reference was looked for
 * @param reference the reference, when usable
 * @param reason    why there is none (empty when there is one)
 */
public record ReferenceLookup(Path file, Optional<ReferenceFile> reference, String reason) {

    static ReferenceLookup found(Path file, ReferenceFile reference) {
        return new ReferenceLookup(file, Optional.of(reference), "");
    }

    static ReferenceLookup unavailable(Path file, String reason) {
        return new ReferenceLookup(file, Optional.empty(), reason);
    }

    /**
     * The reference.
     *
     * @throws ReferenceFileException saying why there is none and how to make one
     */
    public ReferenceFile require() {
        return reference.orElseThrow(() -> new ReferenceFileException(reason, null));
    }

    /** Why there is no usable reference and how to make one, in one line. */
    public String explanation() {
        return reference.isPresent() ? "the reference file " + file + " is usable"
                : reason + ": " + ReferenceFileException.FIX;
    }
}

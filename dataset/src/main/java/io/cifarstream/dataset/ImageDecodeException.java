package io.cifarstream.dataset;

import java.io.IOException;
import java.util.Objects;

/** An encoded image that {@link ImageDecoder} refuses or cannot decode; {@link #kind()} says which case. */
public final class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the image was not decoded. */
    public enum Kind {
        /** More encoded bytes than the decoder accepts. */
        TOO_LARGE,
        /** The header declares more pixels than the decoder accepts (a decompression bomb, or just too big). */
        TOO_MANY_PIXELS,
        /** Neither PNG nor JPEG. */
        UNSUPPORTED_FORMAT,
        /** PNG or JPEG by its signature, but broken. */
        CORRUPT_IMAGE
    }

    private final Kind kind;

    public ImageDecodeException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ImageDecodeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}

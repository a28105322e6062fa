package io.cifarstream.replay;

import io.cifarstream.schemas.CifarShape;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.OptionalInt;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;

/** A CIFAR-10 split as raw CHW events; ids are {@code test-00042}, the index in the official file order. */
public final class CifarSplitSource implements ImageSource {
    private final CifarImages images;

    public CifarSplitSource(CifarImages images) {
        this.images = images;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public String id(int i) {
        return images.id(i);
    }

    @Override
    public OptionalInt label(int i) {
        return OptionalInt.of(images.label(i));
    }

    @Override
    public ImageEvent event(int i, long eventTime) {
        // A view of the split's array, not a copy: the serializer reads it straight from there.
        return rawEvent(images.id(i), eventTime, description(),
                ByteBuffer.wrap(images.pixels(), i * CifarShape.PIXELS, CifarShape.PIXELS).slice());
    }

    /** An unlabelled event of raw CHW pixels of a CIFAR-10 image. */
    static ImageEvent rawEvent(String id, long eventTime, String source, ByteBuffer pixels) {
        return new ImageEvent(id, Instant.ofEpochMilli(eventTime), source, null, CifarShape.SIDE, CifarShape.SIDE,
                CifarShape.CHANNELS, ImageEncoding.RAW_CHW_U8, pixels);
    }

    @Override
    public String description() {
        return "cifar10:" + images.split();
    }
}

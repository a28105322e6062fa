package io.cifarstream.schemas;

/**
 * An image id's parts: the split (e.g. test, train, or a folder's name) and the index in that split's own
 * order (for CIFAR-10, the record's position in the official files).
 */
public record ImageId(String split, int index) {

    public ImageId {
        ImageIds.requireValid(split, index);
    }

    /** The id as used in keys and records, e.g. test-00042. */
    public String value() {
        return ImageIds.of(split, index);
    }

    @Override
    public String toString() {
        return value();
    }
}

package io.cifarstream.schemas;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image id format, also the Kafka key of images, predictions and labels (as a UTF-8 string): the split,
 * a dash, and the index zero-padded to five digits, e.g. {@code test-00042}. Indices from 100000 up take
 * as many digits as they need; every index has exactly one spelling, so ids and parts map one to one.
 */
public final class ImageIds {

    private static final Pattern SPLIT = Pattern.compile("[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*");
    private static final Pattern ID = Pattern.compile("(.+)-(\\d{5}|[1-9]\\d{5,9})");

    private ImageIds() {
    }

    /** The id of image {@code index} of {@code split}, e.g. of("test", 42) is "test-00042". */
    public static String of(String split, int index) {
        requireValid(split, index);
        return String.format("%s-%05d", split, index);
    }

    /**
     * The parts of an id written by {@link #of}.
     *
     * @throws IllegalArgumentException if {@code id} is not in that format
     */
    public static ImageId parse(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches() || !SPLIT.matcher(m.group(1)).matches()) {
            throw new IllegalArgumentException("'" + id + "' is not an image id: expected a split (letters, digits, '_', '.',"
                    + " single inner dashes), a dash and the index zero-padded to five digits, e.g. test-00042.");
        }
        long index = Long.parseLong(m.group(2));
        if (index > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + id + "' has an index above " + Integer.MAX_VALUE + ".");
        }
        return new ImageId(m.group(1), (int) index);
    }

    static void requireValid(String split, int index) {
        if (split == null || !SPLIT.matcher(split).matches()) {
            throw new IllegalArgumentException("'" + split + "' is not a split name: use letters, digits, '_'"
                    + " and '.', optionally joined by single dashes, e.g. test or train.");
        }
        if (index < 0) {
            throw new IllegalArgumentException("Image index " + index + " is negative: indices count from 0.");
        }
    }
}

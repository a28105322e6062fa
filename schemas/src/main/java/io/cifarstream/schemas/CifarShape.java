package io.cifarstream.schemas;

/**
 * The shape of what the topics carry: CIFAR-10 images, 32x32 pixels in 3 channels of 8 bits (stored channel after
 * channel, rows top to bottom: the official binary layout), and ten classes. Every module takes these numbers from
 * here: an {@code ImageEvent}'s raw pixels, a model's input and output, a {@code Prediction}'s log-probabilities and a
 * confusion matrix all agree because they read the same constants.
 */
public final class CifarShape {
    /** Colour channels: red, green, blue. */
    public static final int CHANNELS = 3;
    /** Width and height in pixels. */
    public static final int SIDE = 32;
    /** Pixels of one channel: {@code SIDE * SIDE}. */
    public static final int PLANE = SIDE * SIDE;
    /** Bytes of one image: {@code CHANNELS * PLANE}. */
    public static final int PIXELS = CHANNELS * PLANE;
    /** Classes, numbered 0 to 9. */
    public static final int CLASSES = 10;

    private CifarShape() {
    }
}

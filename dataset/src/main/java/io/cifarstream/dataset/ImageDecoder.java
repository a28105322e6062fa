package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.dataset.ImageDecodeException.Kind;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG or JPEG bytes into CIFAR's 32x32 RGB, CHW order (1024 R, 1024 G, 1024 B bytes), written into a
 * caller's array. Larger images are area-averaged down, smaller ones bilinearly scaled up; grayscale, alpha and
 * palette images become RGB (see {@link CifarResampler}).
 *
 * <p>Hostile input is bounded before any pixel is decoded: the encoded size is checked first, then the dimensions
 * declared in the header (read by ImageIO's {@link ImageReader} without decoding the raster), so a small file that
 * declares 20000x20000 pixels is refused without allocating them. Only PNG and JPEG, recognised by their
 * signatures, reach ImageIO.
 *
 * <p>An instance reuses its ImageIO readers and buffers: use one per thread.
 */
public final class ImageDecoder {
    public static final int DEFAULT_MAX_ENCODED_BYTES = 4 * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG_SIGNATURE = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    private final int maxEncodedBytes;
    private final long maxPixels;
    private final CifarResampler resampler = new CifarResampler();
    private ImageReader pngReader;
    private ImageReader jpegReader;

    /** At most {@value #DEFAULT_MAX_ENCODED_BYTES} encoded bytes and 4096x4096 pixels. */
    public ImageDecoder() {
        this(DEFAULT_MAX_ENCODED_BYTES, DEFAULT_MAX_PIXELS);
    }

    /**
     * @param maxEncodedBytes the largest encoded image accepted
     * @param maxPixels       the most pixels (width x height) an image may declare
     */
    public ImageDecoder(int maxEncodedBytes, long maxPixels) {
        if (maxEncodedBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("limits must be positive: maxEncodedBytes=" + maxEncodedBytes
                    + ", maxPixels=" + maxPixels);
        }
        this.maxEncodedBytes = maxEncodedBytes;
        this.maxPixels = maxPixels;
    }

    /** Decodes {@code encoded} into a new array of {@link CifarShape#PIXELS} bytes. */
    public byte[] decode(byte[] encoded) throws ImageDecodeException {
        byte[] chw = new byte[CifarShape.PIXELS];
        decode(encoded, 0, encoded.length, chw, 0);
        return chw;
    }

    /** Decodes {@code encoded} into {@code target[offset .. offset + PIXELS)}. */
    public void decode(byte[] encoded, byte[] target, int offset) throws ImageDecodeException {
        decode(encoded, 0, encoded.length, target, offset);
    }

    /**
     * Decodes {@code encoded[from .. from + length)} into {@code target[offset .. offset + PIXELS)}; the target is
     * left untouched when decoding fails.
     */
    public void decode(byte[] encoded, int from, int length, byte[] target, int offset) throws ImageDecodeException {
        Objects.checkFromIndexSize(from, length, encoded.length);
        Objects.checkFromIndexSize(offset, CifarShape.PIXELS, target.length);
        if (length > maxEncodedBytes) {
            throw new ImageDecodeException(Kind.TOO_LARGE, "the image is " + length + " bytes; at most "
                    + maxEncodedBytes + " are accepted");
        }
        String format = format(encoded, from, length);
        ImageReader reader = readerFor(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(
                new ByteArrayInputStream(encoded, from, length))) {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw new ImageDecodeException(Kind.CORRUPT_IMAGE, "the " + format + " header declares "
                        + width + "x" + height + " pixels");
            }
            long pixels = (long) width * height;
            if (pixels > maxPixels) {
                throw new ImageDecodeException(Kind.TOO_MANY_PIXELS, "the " + format + " header declares "
                        + width + "x" + height + " = " + pixels + " pixels; at most " + maxPixels
                        + " are accepted");
            }
            BufferedImage image = reader.read(0);
            resampler.resample(image, target, offset);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports broken streams as IIOException, but some decoders fail with runtime exceptions.
            throw new ImageDecodeException(Kind.CORRUPT_IMAGE, "cannot decode the " + format + " image: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } finally {
            reader.reset();
        }
    }

    private static String format(byte[] encoded, int from, int length) throws ImageDecodeException {
        if (startsWith(encoded, from, length, PNG_SIGNATURE)) {
            return "PNG";
        }
        if (startsWith(encoded, from, length, JPEG_SIGNATURE)) {
            return "JPEG";
        }
        StringBuilder start = new StringBuilder();
        for (int i = 0; i < Math.min(length, 8); i++) {
            start.append(String.format("%02x", encoded[from + i] & 0xff));
        }
        throw new ImageDecodeException(Kind.UNSUPPORTED_FORMAT, "not a PNG or JPEG image (" + length
                + " bytes starting " + (start.length() == 0 ? "with nothing" : "0x" + start) + ")");
    }

    private static boolean startsWith(byte[] bytes, int from, int length, byte[] signature) {
        if (length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (bytes[from + i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private ImageReader readerFor(String format) {
        if (format.equals("PNG")) {
            if (pngReader == null) {
                pngReader = firstReader("png");
            }
            return pngReader;
        }
        if (jpegReader == null) {
            jpegReader = firstReader("jpeg");
        }
        return jpegReader;
    }

    private static ImageReader firstReader(String formatName) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        if (!readers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no ImageIO reader for " + formatName);
        }
        return readers.next();
    }
}

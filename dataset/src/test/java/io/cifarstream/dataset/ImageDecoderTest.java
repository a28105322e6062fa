package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cifarstream.dataset.ImageDecodeException.Kind;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoding PNG and JPEG made by ImageIO from real CIFAR-10 test images, and refusing hostile input. */
class ImageDecoderTest {
    private static final int PLANE = 1024;
    private static CifarImages test;

    private final ImageDecoder decoder = new ImageDecoder();

    @BeforeAll
    static void readTestSplit() throws IOException {
        test = Cifar10.open(SharedCifarCopy.location()).test();
    }

    @Test
    void pngRoundTripIsExact() throws IOException {
        int count = 50;
        byte[] decoded = new byte[count * CifarShape.PIXELS];
        for (int i = 0; i < count; i++) {
            decoder.decode(encode(rgbImage(i), "png"), decoded, i * CifarShape.PIXELS);
        }

        assertThat(decoded).isEqualTo(Arrays.copyOf(test.pixels(), count * CifarShape.PIXELS));
    }

    @Test
    void jpegRoundTripIsClose() throws IOException {
        // This copy's pixels were themselves decoded from JPEG, so re-encoding them loses little; still, JPEG is lossy.
        int count = 50;
        double totalError = 0;
        double worst = 0;
        for (int i = 0; i < count; i++) {
            byte[] decoded = decoder.decode(encode(rgbImage(i), "jpeg"));
            double error = meanAbsoluteError(decoded, record(i));
            assertThat(error).as("record %d", i).isLessThan(6.0);
            totalError += error;
            worst = Math.max(worst, error);
        }
        System.out.printf("[ImageDecoderTest] JPEG (ImageIO default quality) round trip: mean |error| %.2f levels, worst"
                + " image %.2f%n", totalError / count, worst);
    }

    @Test
    void largerImageIsAreaAveragedDown() throws IOException {
        for (int factor : new int[] {2, 3}) {
            // Every real pixel repeated factor x factor times: averaging the blocks gives the original back.
            byte[] decoded = decoder.decode(encode(scaledNearest(rgbImage(7), 32 * factor, 32 * factor), "png"));
            assertThat(decoded).as("factor %d", factor).isEqualTo(record(7));
        }
    }

    @Test
    void nonIntegerDownscaleMatchesAnIndependentSupersampledAverage() throws IOException {
        // 48x48 -> 32x32: on the common 96x96 grid each source pixel is 2x2 cells, each target pixel 3x3 cells,
        // so the exact area average is the mean of the target's 9 cells.
        BufferedImage source = scaledNearest(rgbImage(3), 48, 48);
        byte[] decoded = decoder.decode(encode(source, "png"));

        for (int c = 0; c < 3; c++) {
            for (int ty = 0; ty < 32; ty++) {
                for (int tx = 0; tx < 32; tx++) {
                    int sum = 0;
                    for (int gy = ty * 3; gy < ty * 3 + 3; gy++) {
                        for (int gx = tx * 3; gx < tx * 3 + 3; gx++) {
                            sum += (source.getRGB(gx / 2, gy / 2) >> (16 - 8 * c)) & 0xff;
                        }
                    }
                    int expected = Math.round(sum / 9f);
                    assertThat(decoded[c * PLANE + ty * 32 + tx] & 0xff).isCloseTo(expected, within(1));
                }
            }
        }
    }

    @Test
    void smallerImageIsScaledUpBilinearly() throws IOException {
        // A horizontal ramp 0, 16, ..., 240 over 16 pixels: target column t samples source position t/2 - 1/4,
        // clamped to the pixel centres 0..15, so the values are 8t - 4 inside and 0 / 240 at the edges.
        BufferedImage ramp = new BufferedImage(16, 4, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 16; x++) {
                int level = 16 * x;
                ramp.setRGB(x, y, level << 16 | level << 8 | level);
            }
        }
        byte[] decoded = decoder.decode(encode(ramp, "png"));

        for (int ty = 0; ty < 32; ty++) {
            for (int tx = 0; tx < 32; tx++) {
                int expected = tx == 0 ? 0 : tx == 31 ? 240 : 8 * tx - 4;
                for (int c = 0; c < 3; c++) {
                    assertThat(decoded[c * PLANE + ty * 32 + tx] & 0xff).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void realImageHalvedAndScaledBackStaysCloseToTheOriginal() throws IOException {
        byte[] decoded = decoder.decode(encode(scaledNearest(rgbImage(11), 16, 16), "png"));

        double error = meanAbsoluteError(decoded, record(11));
        System.out.printf("[ImageDecoderTest] 32 -> 16 (nearest) -> 32 (bilinear): mean |error| %.2f levels%n",
                error);
        assertThat(error).isLessThan(25.0);
    }

    @Test
    void grayscaleLevelsAreReplicatedUnchanged() throws IOException {
        byte[] original = record(5);
        BufferedImage gray = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setDataElements(0, 0, 32, 32, Arrays.copyOfRange(original, 0, PLANE));

        byte[] decoded = decoder.decode(encode(gray, "png"));

        for (int c = 0; c < 3; c++) {
            assertThat(Arrays.copyOfRange(decoded, c * PLANE, (c + 1) * PLANE))
                    .isEqualTo(Arrays.copyOfRange(original, 0, PLANE));
        }
    }

    @Test
    void sixteenBitGrayIsScaledToEightBits() throws IOException {
        byte[] original = record(6);
        BufferedImage gray = new BufferedImage(32, 32, BufferedImage.TYPE_USHORT_GRAY);
        short[] levels = new short[PLANE];
        for (int i = 0; i < PLANE; i++) {
            levels[i] = (short) ((original[PLANE + i] & 0xff) * 257);
        }
        gray.getRaster().setDataElements(0, 0, 32, 32, levels);

        byte[] decoded = decoder.decode(encode(gray, "png"));

        assertThat(Arrays.copyOfRange(decoded, 0, PLANE)).isEqualTo(Arrays.copyOfRange(original, PLANE, 2 * PLANE));
    }

    @Test
    void alphaIsDropped() throws IOException {
        byte[] original = record(8);
        BufferedImage withAlpha = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        for (int p = 0; p < PLANE; p++) {
            int alpha = 255 - (original[2 * PLANE + p] & 0xff) / 2;
            withAlpha.setRGB(p % 32, p / 32, alpha << 24 | rgb(original, p));
        }

        assertThat(decoder.decode(encode(withAlpha, "png"))).isEqualTo(original);
    }

    @Test
    void paletteColoursAreLookedUp() throws IOException {
        byte[] original = record(9);
        // The palette: the colours of the record's first 256 pixels; pixel p shows colour p % 256.
        byte[] r = Arrays.copyOfRange(original, 0, 256);
        byte[] g = Arrays.copyOfRange(original, PLANE, PLANE + 256);
        byte[] b = Arrays.copyOfRange(original, 2 * PLANE, 2 * PLANE + 256);
        BufferedImage indexed = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, r, g, b));
        byte[] indices = new byte[PLANE];
        for (int p = 0; p < PLANE; p++) {
            indices[p] = (byte) (p % 256);
        }
        indexed.getRaster().setDataElements(0, 0, 32, 32, indices);

        byte[] decoded = decoder.decode(encode(indexed, "png"));

        for (int p = 0; p < PLANE; p++) {
            assertThat(decoded[p]).isEqualTo(r[p % 256]);
            assertThat(decoded[PLANE + p]).isEqualTo(g[p % 256]);
            assertThat(decoded[2 * PLANE + p]).isEqualTo(b[p % 256]);
        }
    }

    @Test
    void pngDeclaringHugeDimensionsIsRefusedBeforeDecoding() {
        // 20000x20000 RGB would be 1.2 GB; the file is under 100 bytes and its IDAT is not even valid image data,
        // so only a refusal made from the header can yield TOO_MANY_PIXELS (decoding would be CORRUPT_IMAGE).
        byte[] bomb = pngWithHeader(20_000, 20_000);

        assertThat(bomb.length).isLessThan(100);
        assertThatThrownBy(() -> decoder.decode(bomb))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_PIXELS))
                .hasMessage("the PNG header declares 20000x20000 = 400000000 pixels; at most 16777216 are accepted");
    }

    @Test
    void jpegDeclaringHugeDimensionsIsRefusedBeforeDecoding() throws IOException {
        byte[] jpeg = encode(rgbImage(0), "jpeg");
        int sof = indexOfMarker(jpeg, (byte) 0xc0);
        // Baseline SOF0 segment: marker, length (2), precision (1), height (2), width (2).
        ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) 20_000).putShort((short) 20_000);

        assertThatThrownBy(() -> decoder.decode(jpeg))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_PIXELS))
                .hasMessageStartingWith("the JPEG header declares 20000x20000");
    }

    @Test
    void imageOverTheByteLimitIsRefusedUnread() throws IOException {
        byte[] png = encode(rgbImage(1), "png");
        ImageDecoder strict = new ImageDecoder(1000, ImageDecoder.DEFAULT_MAX_PIXELS);

        assertThat(png.length).isGreaterThan(1000);
        assertThatThrownBy(() -> strict.decode(png))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE))
                .hasMessage("the image is " + png.length + " bytes; at most 1000 are accepted");
    }

    @Test
    void imageOverThePixelLimitIsRefused() throws IOException {
        byte[] png = encode(scaledNearest(rgbImage(2), 64, 64), "png");

        assertThatThrownBy(() -> new ImageDecoder(ImageDecoder.DEFAULT_MAX_ENCODED_BYTES, 64 * 64 - 1).decode(png))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_PIXELS));
        assertThat(new ImageDecoder(ImageDecoder.DEFAULT_MAX_ENCODED_BYTES, 64 * 64).decode(png))
                .isEqualTo(record(2));
    }

    @Test
    void randomBytesAndOtherFormatsAreUnsupported() throws IOException {
        byte[] noise = new byte[3072];
        new Random(42).nextBytes(noise);

        assertThatThrownBy(() -> decoder.decode(noise))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED_FORMAT))
                .hasMessageStartingWith("not a PNG or JPEG image (3072 bytes starting 0x");
        byte[] gif = encode(rgbImage(4), "gif");
        assertThatThrownBy(() -> decoder.decode(gif))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED_FORMAT))
                .hasMessageStartingWith("not a PNG or JPEG image (" + gif.length + " bytes starting 0x47494638");
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .hasMessage("not a PNG or JPEG image (0 bytes starting with nothing)");
    }

    @Test
    void brokenImagesAreCorruptAndLeaveTheTargetAndTheDecoderIntact() throws IOException {
        byte[] png = encode(rgbImage(10), "png");
        byte[] jpeg = encode(rgbImage(10), "jpeg");
        byte[] noiseAfterSignature = new byte[2000];
        new Random(7).nextBytes(noiseAfterSignature);
        System.arraycopy(png, 0, noiseAfterSignature, 0, 8);
        byte[] target = new byte[CifarShape.PIXELS];

        for (byte[] broken : new byte[][] {Arrays.copyOf(png, png.length / 2), Arrays.copyOf(jpeg, 300),
                noiseAfterSignature}) {
            Arrays.fill(target, (byte) 7);
            assertThatThrownBy(() -> decoder.decode(broken, target, 0))
                    .isInstanceOfSatisfying(ImageDecodeException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT_IMAGE))
                    .hasMessageStartingWith("cannot decode the ");
            assertThat(target).containsOnly(7);
        }
        decoder.decode(png, target, 0);
        assertThat(target).isEqualTo(record(10));
    }

    @Test
    void writesOnlyItsOwnSliceOfTheTarget() throws IOException {
        byte[] png = encode(rgbImage(12), "png");
        byte[] target = new byte[3 * CifarShape.PIXELS + 5];
        Arrays.fill(target, (byte) 1);

        decoder.decode(png, target, CifarShape.PIXELS + 5);

        assertThat(Arrays.copyOfRange(target, 0, CifarShape.PIXELS + 5)).containsOnly(1);
        assertThat(Arrays.copyOfRange(target, CifarShape.PIXELS + 5, 2 * CifarShape.PIXELS + 5))
                .isEqualTo(record(12));
        assertThat(Arrays.copyOfRange(target, 2 * CifarShape.PIXELS + 5, target.length)).containsOnly(1);
        assertThatThrownBy(() -> decoder.decode(png, target, 2 * CifarShape.PIXELS + 6))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static byte[] record(int i) {
        return Arrays.copyOfRange(test.pixels(), i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS);
    }

    private static int rgb(byte[] chw, int p) {
        return (chw[p] & 0xff) << 16 | (chw[PLANE + p] & 0xff) << 8 | (chw[2 * PLANE + p] & 0xff);
    }

    /** Real test record {@code i} as a 32x32 RGB image. */
    private static BufferedImage rgbImage(int i) {
        byte[] chw = record(i);
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
        for (int p = 0; p < PLANE; p++) {
            image.setRGB(p % 32, p / 32, rgb(chw, p));
        }
        return image;
    }

    /** {@code source} resized to width x height by nearest neighbour (pixel x comes from x * sourceWidth / width). */
    private static BufferedImage scaledNearest(BufferedImage source, int width, int height) {
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                scaled.setRGB(x, y, source.getRGB(x * source.getWidth() / width, y * source.getHeight() / height));
            }
        }
        return scaled;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("ImageIO writes " + format).isTrue();
        return out.toByteArray();
    }

    private static double meanAbsoluteError(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return sum / (double) a.length;
    }

    private static int indexOfMarker(byte[] jpeg, byte marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if (jpeg[i] == (byte) 0xff && jpeg[i + 1] == marker) {
                return i;
            }
        }
        throw new AssertionError("no JPEG marker 0xff" + Integer.toHexString(marker & 0xff));
    }

    /** A PNG whose IHDR declares {@code width x height} 8-bit RGB, followed by a tiny IDAT and IEND. */
    private static byte[] pngWithHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[] {0, 1, 2, 3});
        deflater.finish();
        byte[] compressed = new byte[64];
        chunk(out, "IDAT", Arrays.copyOf(compressed, deflater.deflate(compressed)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}

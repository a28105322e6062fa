package io.cifarstream.reliability;

import io.cifarstream.schemas.CifarShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import javax.imageio.ImageIO;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;

/**
 * The bad values the suite sends, built from real ones: real CIFAR-10 pixels, real PNG and JPEG files, values
 * written by the project's own serdes and then damaged the way a broken producer or a bit flip would.
 */
final class BadInputRecords {

    static final Instant EVENT_TIME = Instant.parse("2026-01-01T00:00:00Z");

    private BadInputRecords() {
    }

    /** Image {@code i} of {@code images} as its raw CHW bytes. */
    static byte[] pixels(CifarImages images, int i) {
        return Arrays.copyOfRange(images.pixels(), i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS);
    }

    static ImageEvent event(String id, Integer label, int width, int height, int channels, ImageEncoding encoding,
            byte[] data) {
        return ImageEvent.newBuilder().setId(id).setEventTime(EVENT_TIME).setSource("reliability").setLabel(label)
                .setWidth(width).setHeight(height).setChannels(channels).setEncoding(encoding)
                .setData(ByteBuffer.wrap(data)).build();
    }

    static byte[] value(ImageEvent event) {
        return AvroSerde.imageEvents().serializer().serialize("images", event);
    }

    /** The real image {@code i} as a good raw event keyed by its id. */
    static byte[] rawEvent(CifarImages images, int i) {
        return value(event(images.id(i), images.label(i), 32, 32, 3, ImageEncoding.RAW_CHW_U8, pixels(images, i)));
    }

    /** The same bytes with another schema fingerprint in the single-object header. */
    static byte[] withUnknownFingerprint(byte[] value) {
        byte[] copy = value.clone();
        ByteBuffer.wrap(copy, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);
        return copy;
    }

    /** Image {@code i} as a PNG or JPEG file ("png", "jpg"). */
    static byte[] encoded(CifarImages images, int i, String format) {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        byte[] pixels = images.pixels();
        int base = i * CifarShape.PIXELS;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int at = base + y * 32 + x;
                int rgb = (pixels[at] & 0xFF) << 16 | (pixels[at + 1024] & 0xFF) << 8 | (pixels[at + 2048] & 0xFF);
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A real, complete PNG decompression bomb: a 1-bit grey image of {@code side} x {@code side} pixels, all black,
     * whose IDAT holds the whole deflated image. 50,000 x 50,000 is 2.5 billion pixels (7.5 GB as RGB bytes) in
     * about 300 KB.
     */
    static byte[] pngBomb(int side) {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[1 + (side + 7) / 8]; // filter byte 0, then the packed bits
            for (int y = 0; y < side; y++) {
                zlib.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer header = ByteBuffer.allocate(13).putInt(side).putInt(side);
        header.put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0); // 1 bit, grey, deflate, no interlace
        chunk(png, "IHDR", header.array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}

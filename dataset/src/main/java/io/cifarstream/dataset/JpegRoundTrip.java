package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.jpeg.JPEGQTable;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.NodeList;

/**
 * The benchmark's jpeg_compression: the image saved as a JPEG at a quality and read back, as Pillow's
 * {@code save(..., 'JPEG', quality=q)} does it with libjpeg: the standard tables scaled by libjpeg's
 * {@code jpeg_set_quality} (computed here, so Java's own quality mapping plays no part), baseline, 4:2:0 chroma
 * subsampling, standard Huffman tables. Encoder and decoder are javax.imageio's (libjpeg 6b inside the JDK).
 *
 * <p>Keeps its codec and buffers: one instance per thread.
 */
final class JpegRoundTrip {
    private static final int SIDE = CifarShape.SIDE;
    private static final int PLANE = CifarShape.PLANE;
    private static final String NATIVE_FORMAT = "javax_imageio_jpeg_image_1.0";

    private final ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    private final ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    /** The stream's markers, carrying libjpeg's tables for the quality. */
    private final IIOMetadata metadata;
    private final BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_3BYTE_BGR);
    private final BufferedImage decoded = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_3BYTE_BGR);
    private final ByteArrayOutputStream encoded = new ByteArrayOutputStream(4096);

    JpegRoundTrip(int quality) {
        // The writer's default markers (JFIF, 4:2:0, standard Huffman tables) with the quantisation tables replaced:
        // tables set on a write parameter instead would be left out of the stream (an "abbreviated" JPEG).
        try {
            this.metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), null);
            IIOMetadataNode markers = (IIOMetadataNode) metadata.getAsTree(NATIVE_FORMAT);
            NodeList tables = markers.getElementsByTagName("dqtable");
            for (int i = 0; i < tables.getLength(); i++) {
                IIOMetadataNode table = (IIOMetadataNode) tables.item(i);
                boolean luminance = Integer.parseInt(table.getAttribute("qtableId")) == 0;
                table.setUserObject(scaled(luminance ? JPEGQTable.K1Luminance : JPEGQTable.K2Chrominance, quality));
            }
            metadata.setFromTree(NATIVE_FORMAT, markers);
        } catch (IIOInvalidTreeException e) {
            throw new IllegalStateException("the JDK's JPEG writer refused its own markers with new tables", e);
        }
    }

    /**
     * libjpeg's jpeg_set_quality(quality, force_baseline = TRUE) applied to one of the standard (Annex K) tables:
     * scale 5000 / q below 50, else 200 - 2q, in percent, rounded; entries kept within 1..255.
     */
    static JPEGQTable scaled(JPEGQTable standard, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1 to 100, got " + quality);
        }
        int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
        int[] table = standard.getTable();
        for (int i = 0; i < table.length; i++) {
            table[i] = Math.max(1, Math.min(255, (table[i] * scale + 50) / 100));
        }
        return new JPEGQTable(table);
    }

    /** Compresses the CHW image at {@code in[inOffset]} and writes the decoded result into {@code out[outOffset]}. */
    void apply(byte[] in, int inOffset, byte[] out, int outOffset) {
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < PLANE; p++) {
            bgr[p * 3] = in[inOffset + 2 * PLANE + p];
            bgr[p * 3 + 1] = in[inOffset + PLANE + p];
            bgr[p * 3 + 2] = in[inOffset + p];
        }
        try {
            encoded.reset();
            // Memory-cached streams: ImageIO's factory methods would cache through temporary files.
            try (ImageOutputStream stream = new MemoryCacheImageOutputStream(encoded)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(image, null, metadata), null);
            }
            try (ImageInputStream stream = new MemoryCacheImageInputStream(
                    new ByteArrayInputStream(encoded.toByteArray()))) {
                reader.setInput(stream, true, true);
                ImageReadParam readParam = reader.getDefaultReadParam();
                readParam.setDestination(decoded);
                reader.read(0, readParam);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip of a 32x32 image in memory failed", e);
        }
        byte[] result = ((DataBufferByte) decoded.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < PLANE; p++) {
            out[outOffset + 2 * PLANE + p] = result[p * 3];
            out[outOffset + PLANE + p] = result[p * 3 + 1];
            out[outOffset + p] = result[p * 3 + 2];
        }
    }

    /** The bytes of the last JPEG written, for tests that read its markers. */
    byte[] lastEncoded() {
        return encoded.toByteArray();
    }
}

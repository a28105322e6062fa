package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.DeadLetterKind;

import io.cifarstream.schemas.Rejection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.cifarstream.dataset.ImageDecodeException;
import io.cifarstream.dataset.ImageDecoder;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.schemas.AvroDeserializer;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.ImageEncoding;
import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.RecordDecodeException;

/**
 * Turns one consumed record into either an image in the next slot of an {@link ImageBatch} or a
 * {@link Rejection}. Checks, in order: a value is present and within {@code maxRecordBytes}, a key is present,
 * the value is an {@code ImageEvent}, its {@code id} equals the key, the label is absent or 0-9, and the pixels
 * are 3 x 32 x 32 (raw bytes copied straight into the slot, PNG/JPEG decoded straight into it). Not thread-safe:
 * it reads every event into one reused {@code ImageEvent}.
 *
 * <p>Keys must equal ids because the key partitions the stream: a prediction is keyed by its image id, and
 * an event whose key names another image, or none, would put that image's prediction out of order with, or on
 * another partition than, the rest of its history. Such producer bugs are dead-lettered, never guessed at.
 */
final class ImageEventDecoder {

    private static final int SIDE = CifarShape.SIDE;
    private static final int CHANNELS = CifarShape.CHANNELS;

    private final AvroDeserializer<ImageEvent> events = AvroSerde.imageEvents().deserializer();
    /** PNG/JPEG may declare at most 1024x1024 pixels: enough for any photo meant for a 32x32 model, and cheap. */
    static final long MAX_ENCODED_PIXELS = 1024L * 1024L;

    private final ImageDecoder images;
    private final int maxRecordBytes;
    /**
     * Every event is read into this one, so its pixels land in the same buffer each time instead of a new 3 KB one
     * per record; what a batch keeps is copied out (the pixels) or fresh per event (the id's string).
     */
    private ImageEvent event;

    ImageEventDecoder(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
        this.images = new ImageDecoder(maxRecordBytes, MAX_ENCODED_PIXELS);
    }

    /** Adds the record's image to {@code batch}, or returns why not (the batch is then unchanged). */
    Rejection admit(ConsumerRecord<byte[], ByteBuffer> record, ImageBatch batch, long receivedNanos) {
        ByteBuffer value = record.value();
        if (value == null) {
            return new Rejection(DeadLetterKind.TOMBSTONE, "the value is null (a tombstone): the images topic"
                    + " carries ImageEvents only; delete images by retention, not tombstones");
        }
        if (value.remaining() > maxRecordBytes) {
            return new Rejection(DeadLetterKind.OVERSIZED_RECORD, "the value has " + value.remaining() + " bytes, more"
                    + " than the scorer's limit of " + maxRecordBytes + "; it was not decoded (a 32x32 image needs"
                    + " about 3 KB) and is left out of this dead letter: read it at the coordinates given");
        }
        byte[] key = record.key();
        if (key == null) {
            return new Rejection(DeadLetterKind.MISSING_KEY, "the record has no key: key each ImageEvent by its id"
                    + " (UTF-8), so its prediction is keyed and partitioned by the same id");
        }
        ImageEvent event;
        try {
            event = events.deserialize(record.topic(), value, this.event);
            this.event = event;
        } catch (RecordDecodeException e) {
            return new Rejection(e.kind(), e.getMessage());
        }
        String id = event.getId();
        if (!sameText(key, id)) {
            return new Rejection(DeadLetterKind.KEY_MISMATCH, "the key '" + new String(key, StandardCharsets.UTF_8)
                    + "' differs from the event's id '" + id + "': produce each ImageEvent with key = id");
        }
        Integer label = event.getLabel();
        if (label != null && (label < 0 || label >= CifarShape.CLASSES)) {
            return new Rejection(DeadLetterKind.BAD_LABEL, "label " + label + " of image " + id
                    + " is not a CIFAR-10 class 0-9: send the class index, or null when unknown");
        }
        ByteBuffer data = event.getData();
        if (event.getEncoding() == ImageEncoding.RAW_CHW_U8) {
            Rejection wrong = checkRaw(event, data);
            if (wrong != null) {
                return wrong;
            }
            data.get(data.position(), batch.pixels(), batch.nextSlotOffset(), CifarShape.PIXELS);
        } else {
            try {
                decodeEncoded(data, batch.pixels(), batch.nextSlotOffset());
            } catch (ImageDecodeException e) {
                return new Rejection(deadLetterKind(e.kind()), "the " + event.getEncoding() + " image " + id
                        + " was not decoded: " + e.getMessage());
            }
        }
        batch.accept(record, id, event.getEventTime().toEpochMilli(),
                label == null ? ImageBatch.NO_LABEL : label, receivedNanos);
        return null;
    }

    /** PNG or JPEG (told apart by their signatures), resized to 32x32, straight into the batch's slot. */
    private void decodeEncoded(ByteBuffer data, byte[] target, int offset) throws ImageDecodeException {
        if (data.hasArray()) {
            images.decode(data.array(), data.arrayOffset() + data.position(), data.remaining(), target, offset);
        } else {
            byte[] copy = new byte[data.remaining()];
            data.get(data.position(), copy);
            images.decode(copy, target, offset);
        }
    }

    private static Rejection checkRaw(ImageEvent event, ByteBuffer data) {
        int width = event.getWidth();
        int height = event.getHeight();
        int channels = event.getChannels();
        if (channels != CHANNELS) {
            return new Rejection(DeadLetterKind.WRONG_CHANNELS, "image " + event.getId() + " has " + channels
                    + " channel(s); the models take RGB: send 3 channels (R, G, B planes)");
        }
        if (width != SIDE || height != SIDE) {
            return new Rejection(DeadLetterKind.WRONG_SIZE, "image " + event.getId() + " is " + width + "x" + height
                    + " raw pixels; the models take 32x32: resize it, or send it as PNG/JPEG to be resized here");
        }
        if (data.remaining() != CifarShape.PIXELS) {
            return new Rejection(DeadLetterKind.WRONG_SIZE, "image " + event.getId() + " claims 32x32x3 but carries "
                    + data.remaining() + " bytes of raw pixels instead of " + CifarShape.PIXELS
                    + ": send exactly one byte per pixel and channel, planes R, G, B");
        }
        return null;
    }

    /**
     * Whether UTF-8 {@code bytes} spell {@code text}, without allocating for ASCII text (every image id the
     * project writes); other text is compared by encoding it.
     */
    static boolean sameText(byte[] bytes, String text) {
        int n = text.length();
        if (bytes.length == n) {
            boolean ascii = true;
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                if (c >= 0x80) {
                    ascii = false;
                    break;
                }
                if (bytes[i] != (byte) c) {
                    return false;
                }
            }
            if (ascii) {
                return true;
            }
        }
        return Arrays.equals(bytes, text.getBytes(StandardCharsets.UTF_8));
    }

    private static DeadLetterKind deadLetterKind(ImageDecodeException.Kind kind) {
        return switch (kind) {
            case TOO_LARGE -> DeadLetterKind.TOO_LARGE;
            case TOO_MANY_PIXELS -> DeadLetterKind.TOO_MANY_PIXELS;
            case UNSUPPORTED_FORMAT -> DeadLetterKind.UNSUPPORTED_FORMAT;
            case CORRUPT_IMAGE -> DeadLetterKind.CORRUPT_IMAGE;
        };
    }
}

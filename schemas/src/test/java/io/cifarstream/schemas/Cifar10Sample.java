package io.cifarstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The first four records of CIFAR-10's test_batch.bin (cut from the project's copy), as image events the way
 * a replay publishes them.
 */
final class Cifar10Sample {

    static final String RESOURCE = "/cifar10-test_batch-first4.bin";
    static final int RECORD_BYTES = 1 + 3 * 32 * 32;

    private Cifar10Sample() {
    }

    static List<ImageEvent> imageEvents() {
        byte[] file = read();
        List<ImageEvent> events = new ArrayList<>();
        for (int i = 0; i * RECORD_BYTES < file.length; i++) {
            int start = i * RECORD_BYTES;
            events.add(ImageEvent.newBuilder()
                    .setId(ImageIds.of("test", i))
                    .setEventTime(Instant.ofEpochMilli(1_764_000_000_000L + i))
                    .setSource("cifar10:test")
                    .setLabel(file[start] & 0xFF)
                    .setWidth(32).setHeight(32).setChannels(3)
                    .setEncoding(ImageEncoding.RAW_CHW_U8)
                    .setData(ByteBuffer.wrap(Arrays.copyOfRange(file, start + 1, start + RECORD_BYTES)))
                    .build());
        }
        return events;
    }

    private static byte[] read() {
        try (InputStream in = Cifar10Sample.class.getResourceAsStream(RESOURCE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.cifarstream.reliability;

import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.ImageDecodeException;
import io.cifarstream.dataset.ImageDecoder;
import io.cifarstream.reliability.FuzzInputs.Fuzzed;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.RecordDecodeException;
import io.cifarstream.testkit.CifarTestData;

/**
 * A seeded fuzz run through every decoder of untrusted bytes, each fed a few thousand byte strings made from valid
 * values built from real CIFAR-10 test images (and from random bytes): the Avro deserializer of each of the five
 * schemas lets only its typed {@link RecordDecodeException} escape, and what it does accept is a complete record
 * that writes back to a value reading the same; the image decoder, with caps small enough to be hit, lets only
 * {@link ImageDecodeException} escape and leaves its target untouched when it fails.
 */
@ExtendWith(ReliabilityTableExtension.class)
class FuzzDecodersTest {

    static final long SEED = 20_261_107L;
    private static final int INPUTS_PER_SCHEMA = 1_000;
    private static final int IMAGE_INPUTS = 1_500;
    private static final int BASE_IMAGES = 16;

    static FuzzBaseRecords base;

    @BeforeAll
    static void scoreRealImages(@TempDir Path dir) {
        base = FuzzBaseRecords.score(CifarTestData.testSplit().first(BASE_IMAGES), dir);
    }

    /** How one decoder took its inputs. */
    private record Tally(Map<String, Long> outcomes, List<String> escaped) {
        Tally() {
            this(new TreeMap<>(), new ArrayList<>());
        }

        void count(String outcome) {
            outcomes.merge(outcome, 1L, Long::sum);
        }

        long of(String outcome) {
            return outcomes.getOrDefault(outcome, 0L);
        }
    }

    @Test
    void everyAvroDeserializerLetsOnlyItsTypedDecodeErrorEscape(ReliabilityTable table) {
        List<String> escaped = new ArrayList<>();
        CifarImages images = base.images();
        escaped.addAll(fuzzSchema(table, "ImageEvent", AvroSerde.imageEvents(),
                base.imageEvents(0, BASE_IMAGES, images::id), 1));
        escaped.addAll(fuzzSchema(table, "Prediction", AvroSerde.predictions(),
                base.predictions("seeded", 0, BASE_IMAGES, images::id), 2));
        escaped.addAll(fuzzSchema(table, "Label", AvroSerde.labels(), base.labels(0, BASE_IMAGES, images::id), 3));
        escaped.addAll(fuzzSchema(table, "MetricsSnapshot", AvroSerde.metricsSnapshots(), base.snapshots(BASE_IMAGES), 4));
        escaped.addAll(fuzzSchema(table, "DeadLetter", AvroSerde.deadLetters(), base.deadLetters(4), 5));
        assertThat(escaped).as("failures other than RecordDecodeException (seed %d)", SEED).isEmpty();
    }

    private <T extends SpecificRecord> List<String> fuzzSchema(ReliabilityTable table, String name, AvroSerde<T> serde,
            List<T> records, long seedOffset) {
        List<byte[]> bases = records.stream().map(r -> serde.serializer().serialize("fuzz", r)).toList();
        FuzzInputs inputs = new FuzzInputs(SEED + seedOffset, bases);
        Tally tally = new Tally();
        for (int i = 0; i < INPUTS_PER_SCHEMA; i++) {
            Fuzzed input = inputs.next();
            try {
                T record = serde.deserializer().deserialize("fuzz", input.bytes());
                // Accepted: it must be a whole record, one that is written back and read again unchanged.
                byte[] again = serde.serializer().serialize("fuzz", record);
                if (!serde.deserializer().deserialize("fuzz", again).equals(record)) {
                    tally.escaped().add(name + " " + input + ": accepted, but does not read back the same");
                }
                tally.count("valid");
            } catch (RecordDecodeException e) {
                tally.count(e.kind().name());
            } catch (RuntimeException | Error e) {
                tally.escaped().add(name + " " + input + ": " + e);
                tally.count("escaped");
            }
        }
        long rejected = INPUTS_PER_SCHEMA - tally.of("valid") - tally.of("escaped");
        table.record(new ReliabilityTable.Row("fuzz", "Avro " + name + " deserializer, seed " + (SEED + seedOffset),
                INPUTS_PER_SCHEMA, INPUTS_PER_SCHEMA, rejected + tally.of("valid"), 0, 0, tally.escaped().size(),
                tally.outcomes().toString()));
        // The inputs reach every stage: the header check, the fingerprint lookup and the body's decoder.
        assertThat(tally.outcomes()).as(name).containsKeys(DeadLetterKind.NOT_AVRO_SINGLE_OBJECT.name(),
                DeadLetterKind.UNKNOWN_SCHEMA.name(), DeadLetterKind.CORRUPT_RECORD.name());
        return tally.escaped();
    }

    @Test
    void theImageDecoderLetsOnlyImageDecodeExceptionEscapeAndLeavesItsTargetAlone(ReliabilityTable table) {
        List<byte[]> bases = new ArrayList<>();
        for (int i = 0; i < BASE_IMAGES; i++) {
            bases.add(BadInputRecords.encoded(base.images(), i, "png"));
            bases.add(BadInputRecords.encoded(base.images(), i, "jpg"));
        }
        // The byte cap admits every 32x32 image; real images enlarged to 128x128 are over the pixel cap, and as PNG
        // over the byte cap too, so both caps are hit by inputs that are otherwise fine.
        int maxEncodedBytes = bases.stream().mapToInt(b -> b.length).max().orElseThrow();
        for (int i = 0; i < 4; i++) {
            bases.add(base.enlarged(i, 4, "png"));
            bases.add(base.enlarged(i, 4, "jpg"));
        }
        assertThat(bases.stream().mapToInt(b -> b.length).max().orElseThrow()).isGreaterThan(maxEncodedBytes);
        ImageDecoder decoder = new ImageDecoder(maxEncodedBytes, 64L * 64L);
        FuzzInputs inputs = new FuzzInputs(SEED + 6, bases);
        Tally tally = new Tally();
        byte[] target = new byte[CifarShape.PIXELS + 8];
        for (int n = 0; n < IMAGE_INPUTS; n++) {
            Fuzzed input = inputs.next();
            Arrays.fill(target, (byte) 0x5A);
            try {
                decoder.decode(input.bytes(), target, 4);
                tally.count("decoded");
            } catch (ImageDecodeException e) {
                tally.count(e.kind().name());
                if (!allEqual(target, (byte) 0x5A)) {
                    tally.escaped().add(input + ": failed as " + e.kind() + " but wrote into the target");
                }
            } catch (RuntimeException | Error e) {
                tally.escaped().add(input + ": " + e);
                tally.count("escaped");
            }
            if (target[0] != 0x5A || target[target.length - 1] != 0x5A) {
                tally.escaped().add(input + ": wrote outside its slot of the target");
            }
        }
        table.record(new ReliabilityTable.Row("fuzz", "image decoder (" + maxEncodedBytes + " bytes, 64x64 caps), seed " + (SEED + 6),
                IMAGE_INPUTS, IMAGE_INPUTS, IMAGE_INPUTS - tally.of("escaped"), 0, 0, tally.escaped().size(),
                tally.outcomes().toString()));
        assertThat(tally.escaped()).as("failures other than ImageDecodeException (seed %d)", SEED + 6).isEmpty();
        assertThat(tally.outcomes()).containsKeys("decoded", "UNSUPPORTED_FORMAT", "CORRUPT_IMAGE", "TOO_LARGE",
                "TOO_MANY_PIXELS");
    }

    private static boolean allEqual(byte[] bytes, byte value) {
        for (byte b : bytes) {
            if (b != value) {
                return false;
            }
        }
        return true;
    }
}

package io.cifarstream.reliability;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded fuzz inputs: random byte strings, and valid values damaged the ways storage, networks and broken producers
 * damage them (bit flips, boundary bytes that turn a length varint huge or negative, truncation, the front of one
 * value joined to the back of another). The same seed and bases always give the same inputs, so a failure names the
 * seed and index that reproduce it.
 */
final class FuzzInputs {

    /** How an input was made. */
    enum Mutation {
        RANDOM_BYTES, BIT_FLIPS, BOUNDARY_BYTES, TRUNCATION, SPLICE
    }

    /** One input: how it was made, from which base value (-1 for random bytes), and its bytes. */
    record Fuzzed(int index, Mutation mutation, int base, byte[] bytes) {
        @Override
        public String toString() {
            return "input " + index + " (" + mutation + " of base " + base + ", " + bytes.length + " bytes)";
        }
    }

    /** Bytes that, written into a varint, a length or a float, make it zero, one, the largest, or negative. */
    private static final byte[] BOUNDARY = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0xFF, (byte) 0xFE};
    private static final int MAX_RANDOM_LENGTH = 600;

    private final Random random;
    private final List<byte[]> bases;
    private int next;

    /** Inputs made from {@code bases} (valid values) with the given seed. */
    FuzzInputs(long seed, List<byte[]> bases) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("fuzzing needs at least one valid base value");
        }
        this.random = new Random(seed);
        this.bases = List.copyOf(bases);
    }

    /** The next input; random bytes one time in ten, a mutation of a base value otherwise. */
    Fuzzed next() {
        int index = next++;
        if (random.nextInt(10) == 0) {
            byte[] bytes = new byte[random.nextInt(MAX_RANDOM_LENGTH + 1)];
            random.nextBytes(bytes);
            return new Fuzzed(index, Mutation.RANDOM_BYTES, -1, bytes);
        }
        int base = random.nextInt(bases.size());
        byte[] value = bases.get(base);
        Mutation mutation = List.of(Mutation.BIT_FLIPS, Mutation.BOUNDARY_BYTES, Mutation.TRUNCATION, Mutation.SPLICE)
                .get(random.nextInt(4));
        return new Fuzzed(index, mutation, base, switch (mutation) {
            case BIT_FLIPS -> bitFlips(value);
            case BOUNDARY_BYTES -> boundaryBytes(value);
            case TRUNCATION -> Arrays.copyOf(value, random.nextInt(Math.max(1, value.length)));
            case SPLICE -> splice(value, bases.get(random.nextInt(bases.size())));
            case RANDOM_BYTES -> throw new IllegalStateException("random bytes have no base");
        });
    }

    private byte[] bitFlips(byte[] value) {
        byte[] copy = value.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && copy.length > 0; i++) {
            int at = random.nextInt(copy.length);
            copy[at] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private byte[] boundaryBytes(byte[] value) {
        byte[] copy = value.clone();
        int writes = 1 + random.nextInt(4);
        for (int i = 0; i < writes && copy.length > 0; i++) {
            copy[random.nextInt(copy.length)] = BOUNDARY[random.nextInt(BOUNDARY.length)];
        }
        return copy;
    }

    /** The front of {@code first} up to a random cut, then the back of {@code second} from another random cut. */
    private byte[] splice(byte[] first, byte[] second) {
        int cut = random.nextInt(first.length + 1);
        int from = random.nextInt(second.length + 1);
        byte[] joined = Arrays.copyOf(first, cut + second.length - from);
        System.arraycopy(second, from, joined, cut, second.length - from);
        return joined;
    }
}

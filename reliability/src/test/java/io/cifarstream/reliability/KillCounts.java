package io.cifarstream.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * When to kill a consumer: at seeded random counts of records processed, so a kill falls while records flow however
 * fast the machine is (a delay may elapse after the input ran out). The seed is the system property
 * {@value #SEED_PROPERTY} (default {@value #DEFAULT_SEED}), printed with the counts, so a failing schedule can be run
 * again exactly; the broker-restart test draws its moment from it too.
 */
record KillCounts(long seed, List<Integer> counts) {

    static final String SEED_PROPERTY = "reliability.seed";
    static final long DEFAULT_SEED = 20_261_128L;

    KillCounts {
        counts = List.copyOf(counts);
    }

    /** {@code kills} counts in [{@code from}, {@code to}), ascending and at least {@code minGap} apart. */
    static KillCounts spread(String experiment, int kills, int from, int to, int minGap) {
        if ((long) (kills - 1) * minGap >= to - from) {
            throw new IllegalArgumentException(kills + " kills " + minGap + " apart do not fit in [" + from + ", " + to + ")");
        }
        long seed = configuredSeed();
        Random random = new Random(seed ^ experiment.hashCode());
        // Uniform over the allowed placements: draw in the range shrunk by the gaps, sort, then spread the gaps back in.
        int span = to - from - (kills - 1) * minGap;
        List<Integer> draws = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            draws.add(random.nextInt(span));
        }
        draws.sort(null);
        List<Integer> counts = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            counts.add(from + draws.get(k) + k * minGap);
        }
        return print(experiment, new KillCounts(seed, counts));
    }

    /** One count inside each of the first {@code kills} parts of {@code partSize} records, in its middle 80 %. */
    static KillCounts onePerPart(String experiment, int kills, int partSize) {
        long seed = configuredSeed();
        Random random = new Random(seed ^ experiment.hashCode());
        List<Integer> counts = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            counts.add(k * partSize + partSize / 10 + random.nextInt(partSize * 8 / 10));
        }
        return print(experiment, new KillCounts(seed, counts));
    }

    int kills() {
        return counts.size();
    }

    static long configuredSeed() {
        return Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
    }

    private static KillCounts print(String experiment, KillCounts schedule) {
        System.out.println(experiment + ": -D" + SEED_PROPERTY + "=" + schedule.seed()
                + " kills once the count reaches " + schedule.counts());
        return schedule;
    }
}

package io.cifarstream.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * When to kill: a seeded random delay per kill, counted from the moment the victim is known to be working. The seed
 * is the system property {@value #SEED_PROPERTY} (default {@value #DEFAULT_SEED}) and is printed, so a failing
 * schedule can be run again exactly.
 */
record KillSchedule(long seed, List<Duration> delays) {

    static final String SEED_PROPERTY = "reliability.seed";
    static final long DEFAULT_SEED = 20_261_128L;

    KillSchedule {
        delays = List.copyOf(delays);
    }

    /** {@code kills} delays drawn uniformly from [{@code min}, {@code max}) with the run's seed. */
    static KillSchedule draw(String experiment, int kills, Duration min, Duration max) {
        long seed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        Random random = new Random(seed ^ experiment.hashCode());
        List<Duration> delays = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            delays.add(min.plusMillis((long) (random.nextDouble() * (max.toMillis() - min.toMillis()))));
        }
        KillSchedule schedule = new KillSchedule(seed, delays);
        System.out.println(experiment + ": -D" + SEED_PROPERTY + "=" + seed + " kills after " + delays.stream()
                .map(d -> d.toMillis() + " ms").toList());
        return schedule;
    }

    int kills() {
        return delays.size();
    }
}

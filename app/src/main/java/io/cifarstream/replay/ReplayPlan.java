package io.cifarstream.replay;

import io.cifarstream.schemas.ImageEvent;
import io.cifarstream.schemas.Label;

import java.time.Duration;
import java.util.Optional;

/**
 * What a replay publishes and how.
 *
 * @param limit          publish at most this many images (absent = all)
 * @param ratePerSecond  images per second (absent = as fast as the broker takes them)
 * @param shuffleSeed    publish in a random order drawn from this seed (absent = source order)
 * @param labelDelay     absent = the label travels inside each ImageEvent; present = events carry no label and a
 *                       {@code Label} follows on the labels topic this long after its image (ground truth that
 *                       arrives late)
 * @param labelFraction  the share of images whose label is published at all (1 = all), chosen by {@code labelSeed}
 * @param labelSeed      seed of the choice of labelled images
 */
public record ReplayPlan(Optional<Integer> limit, Optional<Double> ratePerSecond, Optional<Long> shuffleSeed,
        Optional<Duration> labelDelay, double labelFraction, long labelSeed) {

    public ReplayPlan {
        limit.ifPresent(n -> require(n >= 1, "--limit must be at least 1, got " + n));
        ratePerSecond.ifPresent(r -> require(r > 0, "--rate must be > 0 images/s, got " + r));
        labelDelay.ifPresent(d -> require(!d.isNegative(), "--label-delay must not be negative, got " + d));
        require(labelFraction >= 0 && labelFraction <= 1, "--label-fraction must be in [0, 1], got " + labelFraction);
    }

    /** Everything, in order, labels inline, as fast as possible. */
    public static ReplayPlan all() {
        return new ReplayPlan(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 1.0, 0L);
    }

    public ReplayPlan withLimit(int n) {
        return new ReplayPlan(Optional.of(n), ratePerSecond, shuffleSeed, labelDelay, labelFraction, labelSeed);
    }

    public ReplayPlan withRate(double perSecond) {
        return new ReplayPlan(limit, Optional.of(perSecond), shuffleSeed, labelDelay, labelFraction, labelSeed);
    }

    public ReplayPlan withShuffle(long seed) {
        return new ReplayPlan(limit, ratePerSecond, Optional.of(seed), labelDelay, labelFraction, labelSeed);
    }

    public ReplayPlan withLateLabels(Duration delay) {
        return new ReplayPlan(limit, ratePerSecond, shuffleSeed, Optional.of(delay), labelFraction, labelSeed);
    }

    public ReplayPlan withLabelFraction(double fraction, long seed) {
        return new ReplayPlan(limit, ratePerSecond, shuffleSeed, labelDelay, fraction, seed);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}

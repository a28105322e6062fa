package io.cifarstream.metrics;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift checks of one view against the reference, an immutable value; its JSON form is an object with
 * one member per check, keyed by the check's name (see {@link DriftAccumulator} for the checks).
 */
public record Drift(List<DriftCheck> checks) {

    public Drift {
        checks = List.copyOf(checks);
        if (checks.stream().map(DriftCheck::name).distinct().count() != checks.size()) {
            throw new IllegalArgumentException("two drift checks share a name: " + checks);
        }
    }

    /** The check of that name. */
    public DriftCheck check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no drift check named " + name));
    }

    /** Whether any check is over its bound. */
    public boolean anyOver() {
        return checks.stream().anyMatch(DriftCheck::over);
    }

    /**
     * The largest Jensen-Shannon distance of the checks that are distances (all but the chi-square test; they share
     * the bound {@link DriftAccumulator#DISTANCE_BOUND}), ignoring undefined ones; NaN when none is defined. Above
     * the bound exactly when some distance check is over: one figure for one alert rule on every distance.
     */
    public double maxDistance() {
        return checks.stream().filter(c -> c.name().endsWith("_js") && !Double.isNaN(c.statistic()))
                .mapToDouble(DriftCheck::statistic).max().orElse(Double.NaN);
    }

    @JsonValue
    Map<String, DriftCheck> byName() {
        Map<String, DriftCheck> byName = new LinkedHashMap<>();
        checks.forEach(c -> byName.put(c.name(), c));
        return byName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Drift fromJson(Map<String, DriftCheck> byName) {
        byName.forEach((name, check) -> {
            if (!name.equals(check.name())) {
                throw new IllegalArgumentException("drift check " + check.name() + " is filed under " + name);
            }
        });
        return new Drift(List.copyOf(byName.values()));
    }
}

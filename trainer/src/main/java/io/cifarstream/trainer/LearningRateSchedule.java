package io.cifarstream.trainer;

/**
 * The learning rate of every step of a run, as a pure function of the step number, so a checkpoint only needs
 * the step to restore the schedule's position.
 */
public record LearningRateSchedule(Recipe.Schedule kind, double peak, double warmupFraction, long totalSteps) {

    /** One-cycle's start: peak / 25, as PyTorch's OneCycleLR. */
    static final double WARMUP_START_DIVISOR = 25;

    public static LearningRateSchedule of(Recipe recipe, long stepsPerEpoch) {
        return new LearningRateSchedule(recipe.schedule(), recipe.learningRate(), recipe.warmupFraction(),
                stepsPerEpoch * recipe.epochs());
    }

    /** The rate for step {@code step} (0-based). */
    public double at(long step) {
        if (kind == Recipe.Schedule.CONSTANT) {
            return peak;
        }
        long warmup = Math.round(warmupFraction * totalSteps);
        if (step < warmup) {
            double start = peak / WARMUP_START_DIVISOR;
            return start + (peak - start) * step / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, totalSteps - warmup);
        return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    }
}

package io.cifarstream.trainer;

import java.util.Locale;

/**
 * Every hyper-parameter of a training run, in one place.
 *
 * @param name            {@code seed} or {@code fast} (or a derived name when knobs were changed)
 * @param epochs          passes over the training images
 * @param batchSize       images per SGD step
 * @param learningRate    the (peak) learning rate
 * @param schedule        how the learning rate moves over the steps
 * @param warmupFraction  share of all steps spent rising linearly to the peak (one-cycle only)
 * @param momentum        SGD momentum
 * @param nesterov        Nesterov momentum instead of heavy-ball
 * @param weightDecay     L2 penalty on weights (not biases), added to the gradient
 * @param labelSmoothing  share of each target's probability spread evenly over all ten classes
 * @param cropPadding     random crop of 32x32 out of the image zero-padded by this many pixels (0 = no crop)
 * @param horizontalFlip  flip each training image left-right with probability 1/2
 * @param normalization   per-channel input normalization
 * @param initialization  how the weights start
 */
public record Recipe(String name, int epochs, int batchSize, double learningRate, Schedule schedule,
                     double warmupFraction, double momentum, boolean nesterov, double weightDecay,
                     double labelSmoothing, int cropPadding, boolean horizontalFlip,
                     NormalizationKind normalization, Initialization initialization) {

    /** Learning-rate schedules. */
    public enum Schedule {
        /** The same rate for every step. */
        CONSTANT,
        /** Linear warm-up from peak/25 to the peak, then cosine decay to zero at the last step. */
        ONE_CYCLE
    }

    /** Input normalizations. */
    public enum NormalizationKind {
        /** (x/255 - 0.5) / 0.5 per channel, as the seed did. */
        HALF,
        /** (x/255 - mean) / std with each channel's mean and std measured on the training images. */
        MEASURED
    }

    /** Weight initializations. */
    public enum Initialization {
        /** PyTorch's default for Conv2d/Linear: weights and biases uniform in +-1/sqrt(fan_in). */
        PYTORCH,
        /** He (Kaiming) normal for ReLU, std sqrt(2/fan_in), zero biases: trains faster from the start without BN. */
        HE
    }

    public Recipe {
        if (epochs < 1 || batchSize < 1 || learningRate <= 0 || momentum < 0 || momentum >= 1 || weightDecay < 0
                || labelSmoothing < 0 || labelSmoothing >= 1 || cropPadding < 0 || warmupFraction < 0
                || warmupFraction >= 1) {
            throw new IllegalArgumentException("invalid recipe: " + this);
        }
    }

    /**
     * The seed write-up's recipe: plain SGD (lr 0.001, momentum 0.9), batch 4, 20 epochs, no augmentation, inputs
     * normalized with mean 0.5 and std 0.5, PyTorch's default initialization.
     */
    public static Recipe seed() {
        return new Recipe("seed", 20, 4, 0.001, Schedule.CONSTANT, 0, 0.9, false, 0, 0, 0, false,
                NormalizationKind.HALF, Initialization.PYTORCH);
    }

    /**
     * Ours: batch 128 (the fastest step per image for this network on CPU), random crop (pad 4) and flip, measured
     * normalization, label smoothing 0.1, Nesterov SGD with weight decay 5e-4, one-cycle schedule peaking at 0.05.
     */
    public static Recipe fast() {
        return new Recipe("fast", 24, 128, 0.05, Schedule.ONE_CYCLE, 0.15, 0.9, true, 5e-4, 0.1, 4, true,
                NormalizationKind.MEASURED, Initialization.HE);
    }

    /** The recipe named {@code seed} or {@code fast}. */
    public static Recipe named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "seed" -> seed();
            case "fast" -> fast();
            default -> throw new IllegalArgumentException("unknown recipe '" + name + "' (use fast or seed)");
        };
    }

    public Recipe withEpochs(int value) {
        return new Recipe(name, value, batchSize, learningRate, schedule, warmupFraction, momentum, nesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withBatchSize(int value) {
        return new Recipe(name, epochs, value, learningRate, schedule, warmupFraction, momentum, nesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withLearningRate(double value) {
        return new Recipe(name, epochs, batchSize, value, schedule, warmupFraction, momentum, nesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withMomentum(double value, boolean useNesterov) {
        return new Recipe(name, epochs, batchSize, learningRate, schedule, warmupFraction, value, useNesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withWeightDecay(double value) {
        return new Recipe(name, epochs, batchSize, learningRate, schedule, warmupFraction, momentum, nesterov,
                value, labelSmoothing, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withLabelSmoothing(double value) {
        return new Recipe(name, epochs, batchSize, learningRate, schedule, warmupFraction, momentum, nesterov,
                weightDecay, value, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withSchedule(Schedule value, double warmup) {
        return new Recipe(name, epochs, batchSize, learningRate, value, warmup, momentum, nesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, normalization, initialization);
    }

    public Recipe withAugmentation(int padding, boolean flip) {
        return new Recipe(name, epochs, batchSize, learningRate, schedule, warmupFraction, momentum, nesterov,
                weightDecay, labelSmoothing, padding, flip, normalization, initialization);
    }

    public Recipe withNormalization(NormalizationKind value) {
        return new Recipe(name, epochs, batchSize, learningRate, schedule, warmupFraction, momentum, nesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, value, initialization);
    }

    public Recipe withInitialization(Initialization value) {
        return new Recipe(name, epochs, batchSize, learningRate, schedule, warmupFraction, momentum, nesterov,
                weightDecay, labelSmoothing, cropPadding, horizontalFlip, normalization, value);
    }

    /** Every hyper-parameter, one per line, for the start of a run. */
    public String describe() {
        return String.format(Locale.ROOT, """
                recipe           %s
                epochs           %d
                batch size       %d
                learning rate    %s (%s%s)
                optimizer        SGD, momentum %s%s, weight decay %s (weights only)
                loss             NLL of log-softmax, label smoothing %s
                augmentation     %s
                normalization    %s
                initialization   %s
                """, name, epochs, batchSize, learningRate,
                schedule == Schedule.CONSTANT ? "constant" : "one-cycle: linear warm-up",
                schedule == Schedule.CONSTANT ? ""
                        : String.format(Locale.ROOT, " over %.0f%% of steps, cosine to 0", warmupFraction * 100),
                momentum, nesterov ? " (Nesterov)" : "", weightDecay, labelSmoothing,
                cropPadding == 0 && !horizontalFlip ? "none"
                        : (cropPadding > 0 ? "random crop (pad " + cropPadding + ")" : "")
                          + (cropPadding > 0 && horizontalFlip ? " + " : "")
                          + (horizontalFlip ? "horizontal flip" : ""),
                normalization == NormalizationKind.HALF ? "mean 0.5, std 0.5 per channel"
                        : "per-channel mean and std of the training images",
                initialization == Initialization.PYTORCH ? "PyTorch default (uniform +-1/sqrt(fan_in))"
                        : "He normal (std sqrt(2/fan_in)), zero biases");
    }
}

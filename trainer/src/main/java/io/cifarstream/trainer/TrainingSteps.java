package io.cifarstream.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.cifarstream.dataset.CifarImages;

/**
 * Training steps outside a run, taken exactly as {@link Trainer} takes them (the recipe's initialization, batch,
 * augmentation, loss, SGD update and learning-rate schedule, in the given precision) over the training images in a
 * fresh shuffled order each epoch: what {@code bench train} times. No test pass, checkpoint, plot or export. Not
 * thread-safe.
 */
public final class TrainingSteps implements AutoCloseable {
    private final NDManager manager;
    private final TrainingStep step;
    private final SplitMix64 random;
    private final LearningRateSchedule schedule;
    private final int batchSize;
    private final int images;
    private int[] order;
    private int batch;
    private long taken;

    private TrainingSteps(NDManager manager, Recipe recipe, Precision precision, CifarImages train, long seed) {
        this.manager = manager;
        SplitMix64 initialization = new SplitMix64(seed);
        CifarNet net = CifarNet.create(manager, initialization, recipe.initialization());
        this.random = new SplitMix64(initialization.nextLong());
        this.images = train.size();
        this.batchSize = recipe.batchSize();
        Normalization normalization = Normalization.of(recipe.normalization(), train.pixels(), images);
        this.step = new TrainingStep(train, net, precision, manager,
                new BatchAssembler(normalization, batchSize, recipe.cropPadding(), recipe.horizontalFlip(),
                        recipe.labelSmoothing()),
                new SgdOptimizer(net.parameters(), manager, recipe.momentum(), recipe.nesterov(),
                        recipe.weightDecay()));
        this.schedule = LearningRateSchedule.of(recipe, images / batchSize);
        this.order = random.permutation(images);
    }

    /**
     * Steps of {@code recipe} in {@code precision} on {@code train} (full batches only), the network initialized from
     * {@code seed}, libtorch using {@code threads} intra-op threads.
     */
    public static TrainingSteps open(Recipe recipe, Precision precision, CifarImages train, long seed, int threads) {
        if (train.size() < recipe.batchSize()) {
            throw new IllegalArgumentException("a batch of " + recipe.batchSize() + " needs at least as many "
                    + "training images; there are " + train.size());
        }
        Engine engine = Engine.getEngine("PyTorch"); // loads the native library before its settings are touched
        JniUtils.setNumThreads(threads);
        return new TrainingSteps(engine.newBaseManager(), recipe, precision, train, seed);
    }

    public int batchSize() {
        return batchSize;
    }

    /** Takes {@code count} more steps; returns their mean loss. */
    public double run(int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            if ((batch + 1) * batchSize > images) {
                order = random.permutation(images);
                batch = 0;
            }
            sum += step.run(order, batch * batchSize, batchSize, random, schedule.at(taken));
            batch++;
            taken++;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    public void close() {
        manager.close();
    }
}

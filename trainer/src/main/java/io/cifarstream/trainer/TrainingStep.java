package io.cifarstream.trainer;

import java.util.function.UnaryOperator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.CifarShape;

/**
 * One training step: a batch assembled (and augmented) from the training images, forward and backward in the run's
 * {@link Precision}, and the SGD update. The loss is the mean over the batch of -sum_k target_k * logp_k (with
 * smoothed one-hot targets this is label-smoothed NLL). Every array of the step lives in a sub-manager closed at its
 * end, which also releases the batch buffers the input arrays share with the assembler before it refills them.
 */
final class TrainingStep {
    private final CifarImages train;
    private final UnaryOperator<NDArray> forward;
    private final NDManager manager;
    private final BatchAssembler assembler;
    private final SgdOptimizer optimizer;

    TrainingStep(CifarImages train, CifarNet net, Precision precision, NDManager manager, BatchAssembler assembler,
                 SgdOptimizer optimizer) {
        this.train = train;
        this.forward = switch (precision) {
            case FLOAT32 -> images -> net.forward(images, true);
            case BFLOAT16 -> CifarNetBfloat16.of(net, manager)::forward;
        };
        this.manager = manager;
        this.assembler = assembler;
        this.optimizer = optimizer;
    }

    /** Trains on records {@code order[from .. from+count-1]} at learning rate {@code lr}; returns the batch's loss. */
    float run(int[] order, int from, int count, SplitMix64 random, double lr) {
        float loss;
        try (NDManager batch = manager.newSubManager()) {
            NDArray input = CifarNet.input(batch, assembler.images(train.pixels(), order, from, count, random), count);
            NDArray targets = batch.create(assembler.targets(train.labels(), order, from, count),
                    new Shape(count, CifarShape.CLASSES), DataType.FLOAT32);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray mean = forward.apply(input).mul(targets).sum(new int[] {1}).mean().neg();
                collector.backward(mean);
                loss = mean.getFloat();
            }
        }
        optimizer.step(lr);
        return loss;
    }
}

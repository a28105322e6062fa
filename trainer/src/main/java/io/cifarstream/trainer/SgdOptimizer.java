package io.cifarstream.trainer;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * SGD with (Nesterov) momentum and decoupled-from-bias weight decay, exactly PyTorch's {@code torch.optim.SGD}
 * update: g += wd*w; buf = momentum*buf + g; step = nesterov ? g + momentum*buf : buf; w -= lr*step.
 *
 * <p>Owned here rather than taken from DJL's optimizers so the momentum buffers are plain arrays a checkpoint can
 * save and restore, and each step costs a handful of in-place native ops per parameter.
 */
public final class SgdOptimizer {
    private final List<CifarNet.NamedParameter> parameters;
    private final List<NDArray> momentumBuffers;
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;

    public SgdOptimizer(List<CifarNet.NamedParameter> parameters, NDManager manager, double momentum,
                        boolean nesterov, double weightDecay) {
        this.parameters = parameters;
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.weightDecay = (float) weightDecay;
        List<NDArray> buffers = new ArrayList<>();
        for (CifarNet.NamedParameter p : parameters) {
            buffers.add(manager.zeros(p.array().getShape()));
        }
        this.momentumBuffers = List.copyOf(buffers);
    }

    /** Applies one update with the gradients the last backward pass left on the parameters, then zeroes them. */
    public void step(double learningRate) {
        float lr = (float) learningRate;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).array();
            NDArray buffer = momentumBuffers.get(i);
            try (NDArray gradient = weight.getGradient()) {
                if (weightDecay != 0 && isWeight(i)) {
                    try (NDArray decay = weight.mul(weightDecay)) {
                        gradient.addi(decay);
                    }
                }
                buffer.muli(momentum).addi(gradient);
                if (nesterov) {
                    try (NDArray look = buffer.mul(momentum)) {
                        weight.subi(gradient.addi(look).muli(lr));
                    }
                } else {
                    try (NDArray delta = buffer.mul(lr)) {
                        weight.subi(delta);
                    }
                }
            }
            JniUtils.zeroGrad((PtNDArray) weight);
        }
    }

    private boolean isWeight(int index) {
        return parameters.get(index).name().endsWith(".weight");
    }

    /** Copies of the momentum buffers, parameter order. */
    public List<float[]> momentumValues() {
        return momentumBuffers.stream().map(NDArray::toFloatArray).toList();
    }

    /** Restores the momentum buffers saved by {@link #momentumValues()}. */
    public void setMomentumValues(List<float[]> values) {
        if (values.size() != momentumBuffers.size()) {
            throw new IllegalArgumentException("expected " + momentumBuffers.size() + " buffers, got " + values.size());
        }
        for (int i = 0; i < values.size(); i++) {
            momentumBuffers.get(i).set(values.get(i));
        }
    }
}

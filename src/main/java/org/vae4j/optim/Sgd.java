package org.vae4j.optim;

import java.util.List;
import java.util.Map;

import org.vae4j.nn.Parameter;

/**
 * Stochastic gradient descent with momentum, PyTorch's form ({@code torch.optim.SGD}, dampening 0,
 * no Nesterov, no weight decay):
 * <pre>
 *   b = g                       on the first step
 *   b = momentum b + g          afterwards
 *   p = p - lr b
 * </pre>
 * With momentum 0 it is plain SGD. Mutable, not thread-safe.
 */
public final class Sgd implements Optimizer {

    private double lr;
    private final double momentum;
    private long t;
    private final ParameterState buf = new ParameterState(); // momentum_buffer, one per parameter

    public Sgd(double lr, double momentum) {
        this.lr = Optimizer.checkLearningRate(lr);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
    }

    @Override
    public void step(List<Parameter> params) {
        List<float[]> bs = buf.bind(params);
        final boolean first = t == 0;
        t++;
        final float mu = (float) momentum;
        final float rate = (float) lr;
        for (int k = 0; k < params.size(); k++) {
            final float[] p = params.get(k).value().data;
            final float[] g = params.get(k).grad().data;
            final float[] b = bs.get(k);
            for (int i = 0; i < b.length; i++) {
                b[i] = first ? g[i] : mu * b[i] + g[i];
                p[i] -= rate * b[i];
            }
        }
    }

    @Override
    public void reset() {
        t = 0;
        buf.clear();
    }

    @Override
    public long steps() {
        return t;
    }

    /** The momentum factor. */
    public double momentum() {
        return momentum;
    }

    /**
     * Replaces the whole state (step count and momentum buffers) with copies of saved state, e.g.
     * from a checkpoint, so that the next {@link #step} continues exactly where the saved optimiser
     * left off. An empty list restores an optimiser that has not bound its parameters yet.
     *
     * @param steps   the step count, &gt;= 0 (0 makes the next step the first, which sets b = g)
     * @param buffers the momentum buffers, one per parameter (in the parameters' order), not modified
     * @throws IllegalArgumentException for a negative step count
     */
    public void restoreState(long steps, List<float[]> buffers) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        reset();
        for (float[] b : buffers) {
            buf.buffers().add(b.clone());
        }
        this.t = steps;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = Optimizer.checkLearningRate(lr);
    }

    @Override
    public Map<String, List<float[]>> state() {
        return Map.of("momentum_buffer", buf.buffers());
    }

    @Override
    public String describe() {
        return "sgd(lr=" + lr + ", momentum=" + momentum + ")";
    }
}

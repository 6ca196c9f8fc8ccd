package org.vae4j.optim;

import java.util.List;
import java.util.Map;

import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;

/**
 * Stochastic gradient descent with momentum, PyTorch's form ({@code torch.optim.SGD}, dampening 0,
 * no Nesterov, no weight decay):
 * <pre>
 *   b = g                       on the first step
 *   b = momentum b + g          afterwards
 *   p = p - lr b
 * </pre>
 * With momentum 0 it is plain SGD. When the parameters are one {@link ParameterStore}'s in order
 * (a model's), the update is one pass over the flat arrays (split over the GEMM backend's
 * threads by {@link #step(List, Kernels)}; elementwise, so the same bits for any thread count);
 * otherwise one per tensor. Mutable, not thread-safe.
 */
public final class Sgd implements Optimizer {

    private double lr;
    private final double momentum;
    private long t;
    private final ParameterState buf = new ParameterState(); // momentum_buffer, flat, aligned with the parameters

    /**
     * SGD with the given learning rate and momentum.
     *
     * @param lr       learning rate, positive and finite
     * @param momentum the momentum factor, in [0, 1); 0 for plain SGD
     * @throws IllegalArgumentException for a value out of range
     */
    public Sgd(double lr, double momentum) {
        this.lr = Optimizer.checkLearningRate(lr);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
    }

    @Override
    public void step(List<Parameter> params) {
        step(params, (Gemm) null);
    }

    @Override
    public void step(List<Parameter> params, Kernels kernels) {
        step(params, kernels.gemm());
    }

    /** The update, its flat pass split over {@code threads}' ranges when given. */
    private void step(List<Parameter> params, Gemm threads) {
        final float[] b = buf.bind(params).flat();
        final boolean first = t == 0;
        t++;
        final float mu = (float) momentum;
        final float rate = (float) lr;
        ParameterStore store = ParameterStore.spanning(params);
        if (store != null) {
            if (threads == null) {
                update(store.values(), store.gradients(), 0, b, 0, store.size(), first, mu, rate);
                return;
            }
            pass.set(store.values(), store.gradients(), b, first, mu, rate);
            try {
                threads.forEachRange(store.size(), pass);
            } finally {
                pass.clear();
            }
            return;
        }
        for (int k = 0; k < params.size(); k++) {
            final Parameter p = params.get(k);
            update(p.valueArray(), p.gradArray(), p.offset(), b, buf.offset(k), p.size(), first, mu, rate);
        }
    }

    /** n values from p[po], g[po] and b[bo]: one pass over the flat arrays, or one tensor. */
    private static void update(float[] p, float[] g, int po, float[] b, int bo, int n, boolean first, float mu,
                               float rate) {
        for (int i = 0; i < n; i++) {
            final int j = bo + i;
            b[j] = first ? g[po + i] : mu * b[j] + g[po + i];
            p[po + i] -= rate * b[j];
        }
    }

    private final Pass pass = new Pass();

    /** The flat update as ranges, reused from step to step (a step allocates nothing). */
    private static final class Pass implements Gemm.RangeTask {
        private float[] p;
        private float[] g;
        private float[] b;
        private boolean first;
        private float mu;
        private float rate;

        void set(float[] p, float[] g, float[] b, boolean first, float mu, float rate) {
            this.p = p;
            this.g = g;
            this.b = b;
            this.first = first;
            this.mu = mu;
            this.rate = rate;
        }

        void clear() {
            p = g = b = null;
        }

        @Override
        public void run(int from, int to) {
            update(p, g, from, b, from, to - from, first, mu, rate);
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

    /** {@return the momentum factor} */
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
        buf.restore(buffers);
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

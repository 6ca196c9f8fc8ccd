package org.vae4j.optim;

import java.util.List;

import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;

/**
 * Adam (Kingma &amp; Ba 2015) with exactly PyTorch's update ({@code torch.optim.Adam}, no weight
 * decay, no amsgrad), in float32 as PyTorch does it:
 * <pre>
 *   t      = t + 1
 *   m      = m + (1 - beta1) (g - m)                 (PyTorch's lerp form of beta1 m + (1 - beta1) g)
 *   v      = beta2 v + (1 - beta2) g^2
 *   step   = lr / (1 - beta1^t)
 *   denom  = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p      = p - step * m / denom
 * </pre>
 * Defaults are PyTorch's: {@link #DEFAULT_LR}, {@link #DEFAULT_BETA1}, {@link #DEFAULT_BETA2},
 * {@link #DEFAULT_EPS}. Unlike PyTorch, eps must be positive: then a finite gradient always gives
 * a finite update (the denominator is at least eps; with eps = 0 a weight whose gradients were
 * all zero gets 0/0). When the parameters are one {@link ParameterStore}'s in order (a model's),
 * the update is one kernel pass over the flat arrays (split over the GEMM backend's threads by
 * {@link #step(List, Kernels)}); otherwise one per tensor. The kernels' vector and scalar code
 * give the same bits, so where the vector/scalar split or a thread's range falls does not
 * change the result. Mutable, not thread-safe.
 */
public final class Adam extends MomentOptimizer {

    /** Default learning rate (PyTorch and Kingma &amp; Ba). */
    public static final double DEFAULT_LR = 1e-3;
    /** Default decay of the first moment. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** Default decay of the second moment. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** Default denominator term. */
    public static final double DEFAULT_EPS = 1e-8;

    /**
     * Adam with the given hyper-parameters.
     *
     * @param lr    learning rate, positive and finite
     * @param beta1 first-moment decay in [0, 1)
     * @param beta2 second-moment decay in [0, 1)
     * @param eps   denominator term, positive and finite (PyTorch also allows 0, this class does not)
     * @throws IllegalArgumentException for any value out of range
     */
    public Adam(double lr, double beta1, double beta2, double eps) {
        super("Adam", lr, beta1, beta2, eps);
    }

    /**
     * Adam with the given learning rate and PyTorch's other defaults (betas (0.9, 0.999), eps 1e-8).
     *
     * @param lr learning rate, positive and finite
     * @throws IllegalArgumentException if {@code lr} is not positive and finite
     */
    public Adam(double lr) {
        this(lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    /** Adam with all of PyTorch's defaults. */
    public Adam() {
        this(DEFAULT_LR);
    }

    @Override
    public void step(List<Parameter> params) {
        step(params, Elementwise.get());
    }

    @Override
    public void step(List<Parameter> params, Elementwise kernel) {
        step(params, kernel, null);
    }

    @Override
    public void step(List<Parameter> params, Kernels kernels) {
        step(params, kernels.elementwise(), kernels.gemm());
    }

    /** The update, its flat pass split over {@code threads}' ranges when given. */
    private void step(List<Parameter> params, Elementwise kernel, Gemm threads) {
        ParameterState ms = firstMoments(params);
        ParameterState vs = secondMoments(params);
        t++;
        final double bias1 = 1 - Math.pow(beta1, t);
        final double bias2 = 1 - Math.pow(beta2, t);
        final float stepSize = (float) (learningRate() / bias1);
        final float bias2Sqrt = (float) Math.sqrt(bias2);
        final float oneMinusBeta1 = (float) (1 - beta1);
        final float b2 = (float) beta2;
        final float oneMinusBeta2 = (float) (1 - beta2);
        final float e = (float) eps;
        ParameterStore store = ParameterStore.spanning(params);
        if (store != null) {
            // one pass over the model's flat arrays
            if (threads == null) {
                kernel.adam(store.values(), store.gradients(), 0, ms.flat(), vs.flat(), 0, store.size(),
                        oneMinusBeta1, b2, oneMinusBeta2, stepSize, bias2Sqrt, e);
                return;
            }
            pass.set(kernel, store.values(), store.gradients(), ms.flat(), vs.flat(), oneMinusBeta1, b2,
                    oneMinusBeta2, stepSize, bias2Sqrt, e);
            try {
                threads.forEachRange(store.size(), pass);
            } finally {
                pass.clear();
            }
            return;
        }
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            kernel.adam(p.valueArray(), p.gradArray(), p.offset(), ms.flat(), vs.flat(), ms.offset(k), p.size(),
                    oneMinusBeta1, b2, oneMinusBeta2, stepSize, bias2Sqrt, e);
        }
    }

    private final Pass pass = new Pass();

    /** The flat update as ranges, reused from step to step (a step allocates nothing). */
    private static final class Pass implements Gemm.RangeTask {
        private Elementwise kernel;
        private float[] p;
        private float[] g;
        private float[] m;
        private float[] v;
        private float oneMinusBeta1;
        private float beta2;
        private float oneMinusBeta2;
        private float stepSize;
        private float bias2Sqrt;
        private float eps;

        void set(Elementwise kernel, float[] p, float[] g, float[] m, float[] v, float oneMinusBeta1, float beta2,
                 float oneMinusBeta2, float stepSize, float bias2Sqrt, float eps) {
            this.kernel = kernel;
            this.p = p;
            this.g = g;
            this.m = m;
            this.v = v;
            this.oneMinusBeta1 = oneMinusBeta1;
            this.beta2 = beta2;
            this.oneMinusBeta2 = oneMinusBeta2;
            this.stepSize = stepSize;
            this.bias2Sqrt = bias2Sqrt;
            this.eps = eps;
        }

        void clear() {
            kernel = null;
            p = g = m = v = null;
        }

        @Override
        public void run(int from, int to) {
            kernel.adam(p, g, from, m, v, from, to - from, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bias2Sqrt,
                    eps);
        }
    }

    @Override
    public String describe() {
        return "adam(lr=" + learningRate() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ")";
    }
}

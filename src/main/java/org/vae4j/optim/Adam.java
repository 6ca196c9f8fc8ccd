package org.vae4j.optim;

import java.util.List;

import org.vae4j.kernel.Elementwise;
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
 * the update is one kernel pass over the flat arrays; otherwise one per tensor. The kernels'
 * vector and scalar code give the same bits, so where the vector/scalar split falls does not
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

    public Adam(double lr, double beta1, double beta2, double eps) {
        super("Adam", lr, beta1, beta2, eps);
    }

    /** Adam with the given learning rate and PyTorch's other defaults. */
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
            kernel.adam(store.values(), store.gradients(), 0, ms.flat(), vs.flat(), 0, store.size(),
                    oneMinusBeta1, b2, oneMinusBeta2, stepSize, bias2Sqrt, e);
            return;
        }
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            kernel.adam(p.valueArray(), p.gradArray(), p.offset(), ms.flat(), vs.flat(), ms.offset(k), p.size(),
                    oneMinusBeta1, b2, oneMinusBeta2, stepSize, bias2Sqrt, e);
        }
    }

    @Override
    public String describe() {
        return "adam(lr=" + learningRate() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ")";
    }
}

package org.vae4j.optim;

import java.util.List;

import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;

/**
 * AdamW (Loshchilov &amp; Hutter 2019), Adam with decoupled weight decay, with exactly the update
 * of {@code torch.optim.AdamW} in torch 1.13 ({@code _single_tensor_adamw}, no amsgrad), in
 * float32 in PyTorch's order:
 * <pre>
 *   t      = t + 1
 *   p      = p * (1 - lr wd)                  param.mul_(1 - lr * weight_decay); every parameter, biases too
 *   m      = fma(1 - beta1, g, m beta1)       exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
 *   v      = fma((1 - beta2) g, g, v beta2)   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
 *   step   = lr / (1 - beta1^t)
 *   denom  = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p      = p - step * m / denom             param.addcdiv_(exp_avg, denom, value=-step)
 * </pre>
 * {@code lr} is the learning rate at the time of the step, so a schedule
 * ({@link LearningRateSchedule#applyTo}) scales the decay too, as in PyTorch. The two moment
 * updates end in a fused multiply-add because PyTorch's AVX2 CPU kernels fuse them (checked
 * bit for bit against torch 1.13 on x86-64); the fused result is computed as
 * {@code (float) ((double) a * b + c)}, exact except for a double rounding too rare to matter, so
 * the bits do not depend on whether the JVM has a hardware FMA. Unlike {@link Adam}, whose first
 * moment uses the lerp form, this is PyTorch's AdamW, which does not; with weight decay 0 the two
 * agree to float rounding, not bit for bit.
 *
 * <p>Defaults: lr, betas and eps are {@link Adam}'s (PyTorch's, shared); the weight decay is
 * {@link #DEFAULT_WEIGHT_DECAY} 0.01, PyTorch's AdamW default, so that {@code new AdamW()} means
 * what {@code torch.optim.AdamW(params)} means. The state has Adam's names and shapes
 * ({@code exp_avg}, {@code exp_avg_sq}, the step count), restored with {@link #restoreState}.
 * Allocation-free per step after the first; one pass over the flat arrays when the parameters
 * are one {@link ParameterStore}'s in order (split over the GEMM backend's threads by
 * {@link #step(List, Kernels)}; elementwise, so the same bits for any thread count), else one
 * per tensor. Mutable, not thread-safe.
 */
public final class AdamW extends MomentOptimizer {

    /** PyTorch's AdamW default weight decay. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    private final double weightDecay;

    /**
     * AdamW with the given hyperparameters.
     *
     * @param lr          learning rate, positive and finite
     * @param beta1       first-moment decay in [0, 1)
     * @param beta2       second-moment decay in [0, 1)
     * @param eps         denominator term, positive and finite (see {@link Adam})
     * @param weightDecay decoupled weight decay, &gt;= 0 and finite, with {@code lr * weightDecay < 1}
     * @throws IllegalArgumentException for any value out of range
     */
    public AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super("AdamW", checkWeightDecay(lr, weightDecay), beta1, beta2, eps);
        this.weightDecay = weightDecay;
    }

    /** Checks the weight decay and lr * weight decay &lt; 1 before anything else is set; returns lr. */
    private static double checkWeightDecay(double lr, double weightDecay) {
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("AdamW weight decay must be >= 0 and finite, got " + weightDecay);
        }
        return checkDecayFactor(Optimizer.checkLearningRate(lr), weightDecay);
    }

    /**
     * AdamW with the given learning rate and weight decay and PyTorch's other defaults (betas
     * (0.9, 0.999), eps 1e-8).
     *
     * @param lr          learning rate, positive and finite
     * @param weightDecay decoupled weight decay, &gt;= 0 and finite, with {@code lr * weightDecay < 1}
     * @throws IllegalArgumentException for any value out of range
     */
    public AdamW(double lr, double weightDecay) {
        this(lr, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPS, weightDecay);
    }

    /**
     * AdamW with the given learning rate and PyTorch's other defaults (weight decay 0.01, betas
     * (0.9, 0.999), eps 1e-8).
     *
     * @param lr learning rate, positive and finite, below 100 (so that {@code lr * 0.01 < 1})
     * @throws IllegalArgumentException for a learning rate out of range
     */
    public AdamW(double lr) {
        this(lr, DEFAULT_WEIGHT_DECAY);
    }

    /** AdamW with all of PyTorch's defaults. */
    public AdamW() {
        this(Adam.DEFAULT_LR);
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
        ParameterState ms = firstMoments(params);
        ParameterState vs = secondMoments(params);
        final double lr = learningRate();
        t++;
        final double bias1 = 1 - Math.pow(beta1, t);
        final double bias2 = 1 - Math.pow(beta2, t);
        final float decay = (float) (1 - lr * weightDecay);
        final float stepSize = (float) (lr / bias1);
        final float bias2Sqrt = (float) Math.sqrt(bias2);
        final float b1 = (float) beta1;
        final double oneMinusBeta1 = (float) (1 - beta1);
        final float b2 = (float) beta2;
        final float oneMinusBeta2 = (float) (1 - beta2);
        final float e = (float) eps;
        ParameterStore store = ParameterStore.spanning(params);
        if (store != null) {
            // one pass over the model's flat arrays
            if (threads == null) {
                update(store.values(), store.gradients(), 0, ms.flat(), vs.flat(), 0, store.size(), decay, stepSize,
                        bias2Sqrt, b1, oneMinusBeta1, b2, oneMinusBeta2, e);
                return;
            }
            pass.set(store.values(), store.gradients(), ms.flat(), vs.flat(), decay, stepSize, bias2Sqrt, b1,
                    oneMinusBeta1, b2, oneMinusBeta2, e);
            try {
                threads.forEachRange(store.size(), pass);
            } finally {
                pass.clear();
            }
            return;
        }
        for (int k = 0; k < params.size(); k++) {
            final Parameter p = params.get(k);
            update(p.valueArray(), p.gradArray(), p.offset(), ms.flat(), vs.flat(), ms.offset(k), p.size(), decay,
                    stepSize, bias2Sqrt, b1, oneMinusBeta1, b2, oneMinusBeta2, e);
        }
    }

    /** n values: p and g from po, the moments m and v from mo. */
    private static void update(float[] p, float[] g, int po, float[] m, float[] v, int mo, int n, float decay,
                               float stepSize, float bias2Sqrt, float b1, double oneMinusBeta1, float b2,
                               float oneMinusBeta2, float e) {
        for (int i = 0; i < n; i++) {
            final float gi = g[po + i];
            final float pi = p[po + i] * decay;
            final int j = mo + i;
            final float mi = (float) (oneMinusBeta1 * gi + (double) (m[j] * b1));
            final float vi = (float) ((double) (oneMinusBeta2 * gi) * gi + (double) (v[j] * b2));
            m[j] = mi;
            v[j] = vi;
            final float denom = (float) Math.sqrt(vi) / bias2Sqrt + e;
            p[po + i] = pi - stepSize * mi / denom;
        }
    }

    private final Pass pass = new Pass();

    /** The flat update as ranges, reused from step to step (a step allocates nothing). */
    private static final class Pass implements Gemm.RangeTask {
        private float[] p;
        private float[] g;
        private float[] m;
        private float[] v;
        private float decay;
        private float stepSize;
        private float bias2Sqrt;
        private float b1;
        private double oneMinusBeta1;
        private float b2;
        private float oneMinusBeta2;
        private float eps;

        void set(float[] p, float[] g, float[] m, float[] v, float decay, float stepSize, float bias2Sqrt, float b1,
                 double oneMinusBeta1, float b2, float oneMinusBeta2, float eps) {
            this.p = p;
            this.g = g;
            this.m = m;
            this.v = v;
            this.decay = decay;
            this.stepSize = stepSize;
            this.bias2Sqrt = bias2Sqrt;
            this.b1 = b1;
            this.oneMinusBeta1 = oneMinusBeta1;
            this.b2 = b2;
            this.oneMinusBeta2 = oneMinusBeta2;
            this.eps = eps;
        }

        void clear() {
            p = g = m = v = null;
        }

        @Override
        public void run(int from, int to) {
            update(p, g, from, m, v, from, to - from, decay, stepSize, bias2Sqrt, b1, oneMinusBeta1, b2,
                    oneMinusBeta2, eps);
        }
    }

    /** {@return the decoupled weight decay (PyTorch's {@code weight_decay})} */
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    double checkLearningRate(double lr) {
        return checkDecayFactor(lr, weightDecay);
    }

    private static double checkDecayFactor(double lr, double weightDecay) {
        if (!(lr * weightDecay < 1)) {
            throw new IllegalArgumentException("AdamW needs lr * weight decay < 1 (the weights are multiplied by "
                    + "1 - lr * weight decay on every step), got lr " + lr + " and weight decay " + weightDecay);
        }
        return lr;
    }

    @Override
    public String describe() {
        return "adamw(lr=" + learningRate() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                + ", weight_decay=" + weightDecay + ")";
    }
}

package org.vae4j.optim;

import java.util.List;
import java.util.Map;

import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Parameter;

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
 * all zero gets 0/0). Mutable, not thread-safe.
 */
public final class Adam implements Optimizer {

    /** Default learning rate (PyTorch and Kingma &amp; Ba). */
    public static final double DEFAULT_LR = 1e-3;
    /** Default decay of the first moment. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** Default decay of the second moment. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** Default denominator term. */
    public static final double DEFAULT_EPS = 1e-8;

    private double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long t;
    private final ParameterState m = new ParameterState(); // exp_avg, one per parameter
    private final ParameterState v = new ParameterState(); // exp_avg_sq, one per parameter

    public Adam(double lr, double beta1, double beta2, double eps) {
        this.lr = Optimizer.checkLearningRate(lr);
        checkMomentSettings("Adam", beta1, beta2, eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
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
        List<float[]> ms = m.bind(params);
        List<float[]> vs = v.bind(params);
        t++;
        final double bias1 = 1 - Math.pow(beta1, t);
        final double bias2 = 1 - Math.pow(beta2, t);
        final float stepSize = (float) (lr / bias1);
        final float bias2Sqrt = (float) Math.sqrt(bias2);
        final float oneMinusBeta1 = (float) (1 - beta1);
        final float b2 = (float) beta2;
        final float oneMinusBeta2 = (float) (1 - beta2);
        final float e = (float) eps;
        for (int k = 0; k < params.size(); k++) {
            float[] mk = ms.get(k);
            kernel.adam(params.get(k).value().data, params.get(k).grad().data, mk, vs.get(k), mk.length,
                    oneMinusBeta1, b2, oneMinusBeta2, stepSize, bias2Sqrt, e);
        }
    }

    @Override
    public void reset() {
        t = 0;
        m.clear();
        v.clear();
    }

    @Override
    public long steps() {
        return t;
    }

    /** Sets the step count (for restoring saved state). */
    public void setSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        this.t = steps;
    }

    /** Decay of the first moment. */
    public double beta1() {
        return beta1;
    }

    /** Decay of the second moment. */
    public double beta2() {
        return beta2;
    }

    /** Denominator term. */
    public double eps() {
        return eps;
    }

    /**
     * Replaces the whole state (step count and moments) with copies of saved state, e.g. from a
     * checkpoint, so that the next {@link #step} continues exactly where the saved optimiser left
     * off. Empty lists restore an optimiser that has not bound its parameters yet.
     *
     * @param steps    the step count t, &gt;= 0
     * @param expAvg   the first moments m, one array per parameter (in the parameters' order), not modified
     * @param expAvgSq the second moments v, aligned with {@code expAvg}, not modified
     * @throws IllegalArgumentException for a negative step count or lists that do not line up
     */
    public void restoreState(long steps, List<float[]> expAvg, List<float[]> expAvgSq) {
        checkRestorable(steps, expAvg, expAvgSq);
        reset();
        for (int i = 0; i < expAvg.size(); i++) {
            m.buffers().add(expAvg.get(i).clone());
            v.buffers().add(expAvgSq.get(i).clone());
        }
        this.t = steps;
    }

    /** Checks betas and eps for Adam and {@link AdamW} ({@code which} names the optimiser in the message). */
    static void checkMomentSettings(String which, double beta1, double beta2, double eps) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(which + " betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps > 0) || !Double.isFinite(eps)) {
            // PyTorch allows 0, but then a weight whose gradients were all 0 gets 0/0 = NaN.
            throw new IllegalArgumentException(which + " eps must be positive and finite, got " + eps);
        }
    }

    /** Checks saved Adam or {@link AdamW} state before it replaces the current state. */
    static void checkRestorable(long steps, List<float[]> expAvg, List<float[]> expAvgSq) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        if (expAvg.size() != expAvgSq.size()) {
            throw new IllegalArgumentException("exp_avg has " + expAvg.size() + " buffers, exp_avg_sq "
                    + expAvgSq.size());
        }
        for (int i = 0; i < expAvg.size(); i++) {
            if (expAvg.get(i).length != expAvgSq.get(i).length) {
                throw new IllegalArgumentException("buffer " + i + ": exp_avg has " + expAvg.get(i).length
                        + " values, exp_avg_sq " + expAvgSq.get(i).length);
            }
        }
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
        return Map.of("exp_avg", m.buffers(), "exp_avg_sq", v.buffers());
    }

    @Override
    public String describe() {
        return "adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ")";
    }
}

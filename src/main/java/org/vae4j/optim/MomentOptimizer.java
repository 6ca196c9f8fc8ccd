package org.vae4j.optim;

import java.util.List;
import java.util.Map;

import org.vae4j.nn.Parameter;

/**
 * The state {@link Adam} and {@link AdamW} share: learning rate, betas, eps, the step count t and
 * the two moments {@code exp_avg}, {@code exp_avg_sq} (PyTorch's names), with their checks,
 * reset and restore. The update itself is each subclass's. Mutable, not thread-safe.
 */
abstract class MomentOptimizer implements Optimizer {

    private double lr;
    final double beta1;
    final double beta2;
    final double eps;
    long t;
    final ParameterState m = new ParameterState(); // exp_avg, flat, aligned with the parameters
    final ParameterState v = new ParameterState(); // exp_avg_sq, flat, aligned with the parameters

    /** @param which names the optimiser in error messages */
    MomentOptimizer(String which, double lr, double beta1, double beta2, double eps) {
        this.lr = Optimizer.checkLearningRate(lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(which + " betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps > 0) || !Double.isFinite(eps)) {
            // PyTorch allows 0, but then a weight whose gradients were all 0 gets 0/0 = NaN.
            throw new IllegalArgumentException(which + " eps must be positive and finite, got " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** The moment buffers bound to {@code params} (allocated on first use, then checked). */
    final ParameterState firstMoments(List<Parameter> params) {
        return m.bind(params);
    }

    final ParameterState secondMoments(List<Parameter> params) {
        return v.bind(params);
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

    /**
     * Sets the step count t (for restoring saved state); the moments are left as they are, and
     * the next step's bias corrections use t + 1. {@link #restoreState} sets the moments too.
     *
     * @param steps the step count, &gt;= 0
     * @throws IllegalArgumentException for a negative count
     */
    public void setSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        this.t = steps;
    }

    /** {@return the decay of the first moment, beta1, in [0, 1)} */
    public double beta1() {
        return beta1;
    }

    /** {@return the decay of the second moment, beta2, in [0, 1)} */
    public double beta2() {
        return beta2;
    }

    /** {@return the term added to the update's denominator, eps, positive} */
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
        reset();
        m.restore(expAvg);
        v.restore(expAvgSq);
        this.t = steps;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = checkLearningRate(Optimizer.checkLearningRate(lr));
    }

    /** A subclass's further check of a new learning rate; returns it. */
    double checkLearningRate(double lr) {
        return lr;
    }

    @Override
    public Map<String, List<float[]>> state() {
        return Map.of("exp_avg", m.buffers(), "exp_avg_sq", v.buffers());
    }
}

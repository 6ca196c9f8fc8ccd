package org.vae4j.optim;

import java.util.List;

import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;

/**
 * Updates parameters from their gradients. The contract:
 * <ul>
 * <li>{@link #step} applies one update to the given parameters using {@link Parameter#gradArray()}.
 * The first call fixes the list of parameters the optimiser tracks (their order and shapes);
 * later calls must pass the same list, or an {@link IllegalArgumentException} names the mismatch.</li>
 * <li>{@link #reset} forgets all state (moments, step count), as if newly made.</li>
 * <li>{@link #state} exposes the state so that it can be saved and restored.</li>
 * </ul>
 * Mutable, not thread-safe.
 */
public interface Optimizer {

    /**
     * Applies one update to every parameter in {@code params}, with the default elementwise
     * kernels, and counts one step.
     *
     * @param params the parameters to update in place from their gradients; the same list (order
     *        and shapes) on every call
     * @throws IllegalArgumentException if the list does not match the one of the first call
     */
    void step(List<Parameter> params);

    /**
     * {@link #step(List)} with the model's elementwise kernels (the trainer calls this form, so
     * the optimiser runs on the kernels the model was given). By default the kernels are unused.
     *
     * @param params the parameters to update, as for {@link #step(List)}
     * @param kernel the elementwise kernels to run the update on
     */
    default void step(List<Parameter> params, Elementwise kernel) {
        step(params);
    }

    /**
     * {@link #step(List, Elementwise)} with all of the model's kernels: the trainer calls this
     * form, so an optimiser can split its pass over the flat parameter arrays across the GEMM
     * backend's threads ({@link org.vae4j.kernel.Gemm#forEachRange}). {@link Adam}, {@link AdamW}
     * and {@link Sgd} do when the parameters are one store's in order; the update is elementwise,
     * so the result is the same bits for any thread count. By default it is
     * {@code step(params, kernels.elementwise())}.
     *
     * @param params  the parameters to update, as for {@link #step(List)}
     * @param kernels the model's kernels: the elementwise code and the GEMM backend whose threads
     *        may run the pass
     */
    default void step(List<Parameter> params, Kernels kernels) {
        step(params, kernels.elementwise());
    }

    /** Forgets all state. */
    void reset();

    /** {@return number of steps taken since creation or the last reset} */
    long steps();

    /** {@return the learning rate} */
    double learningRate();

    /**
     * Changes the learning rate of the following steps (e.g. for a schedule).
     *
     * @param lr the new learning rate, positive and finite
     * @throws IllegalArgumentException if {@code lr} is not positive and finite (AdamW: also if
     *         {@code lr * weightDecay >= 1})
     */
    void setLearningRate(double lr);

    /**
     * {@return the per-parameter state buffers, by name (e.g. {@code exp_avg}, {@code exp_avg_sq}),
     * each a list aligned with the parameters; empty before the first step} The arrays are copies
     * (the optimisers keep each state as one flat array aligned with the parameters); restore
     * state with the optimiser's {@code restoreState}.
     */
    java.util.Map<String, List<float[]>> state();

    /** {@return a short description for logs, e.g. {@code adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08)}} */
    String describe();

    /**
     * Checks a learning rate.
     *
     * @param lr the learning rate to check
     * @return {@code lr}, if it is positive and finite
     * @throws IllegalArgumentException otherwise
     */
    static double checkLearningRate(double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        }
        return lr;
    }
}

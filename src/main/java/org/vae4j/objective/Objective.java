package org.vae4j.objective;

import org.vae4j.LatentModel;
import org.vae4j.Loss;

/**
 * A training loss: computes the loss of a batch and adds its gradient to every parameter's
 * {@link org.vae4j.nn.Parameter#gradArray()} (never zeroing them, so a caller can sum micro-batches).
 * It drives the model's pieces ({@link LatentModel#encoder()}, {@link LatentModel#posterior()},
 * {@link LatentModel#decoder()}, {@link LatentModel#likelihood()}), so adding an objective
 * touches no model class.
 *
 * <p>Scaling: gradients and the returned loss are of the loss summed over the batch's rows
 * divided by {@link StepContext#batchSize()} (B): over micro-batches of one batch they add up
 * to the per-example mean of the whole batch.
 *
 * <p>Implementations own work buffers: mutable, not thread-safe (one per training thread).
 */
public interface Objective {

    /**
     * Runs the forward and backward pass of one batch, adding the gradients to the model's
     * parameters' gradient arrays.
     *
     * @param model   the model whose pieces are run and whose gradients are accumulated
     * @param batch   the batch (or micro-batch) of rows; its matrices are not modified
     * @param context the step's KL weight, batch size B and noise
     * @return the loss and its parts, each summed over the rows and divided by B
     * @throws IllegalArgumentException for a batch the model cannot take
     */
    Loss computeGradients(LatentModel model, Batch batch, StepContext context);

    /**
     * Checks that this objective has a meaning for {@code model}, before a run's first step (the
     * IWAE bound and free bits need a posterior with a density). By default every model is fine.
     *
     * @param model the model a run is about to train with this objective
     * @throws IllegalArgumentException naming the objective and the model's kind
     */
    default void checkModel(LatentModel model) {
    }

    /** {@return a short description for logs, e.g. {@code negative ELBO}} */
    String describe();
}

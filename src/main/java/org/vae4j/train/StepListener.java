package org.vae4j.train;

import org.vae4j.Loss;

/**
 * Called by the {@link Trainer} after every optimiser step, on the training thread (e.g. for a
 * progress bar or per-step logging). It must not change the model. Implementations should not
 * allocate if the step is to stay allocation-free.
 */
@FunctionalInterface
public interface StepListener {

    /**
     * Receives one finished optimiser step.
     *
     * @param epoch the epoch of this call (1-based)
     * @param step  optimiser steps taken so far, this one included
     * @param rows  rows of the batch
     * @param loss  the batch's loss per example
     */
    void onStep(int epoch, long step, int rows, Loss loss);
}

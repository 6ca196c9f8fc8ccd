package org.vae4j.train;

/** Called by the {@link Trainer} after each epoch, on the training thread. */
@FunctionalInterface
public interface EpochListener {

    /**
     * The epoch just finished; the model holds the epoch's final parameters.
     *
     * @param stats what the epoch did: its losses per example, steps and time
     */
    void onEpoch(EpochStats stats);
}

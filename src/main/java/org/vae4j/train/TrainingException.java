package org.vae4j.train;

/**
 * Training stopped because a loss or gradient became non-finite. The model keeps the parameters
 * it had before the failing step (the last good ones), and the optimiser its state.
 */
public final class TrainingException extends RuntimeException {

    /** Version 1 of the serialised form. */
    private static final long serialVersionUID = 1L;

    /** The 1-based epoch of the failing step. */
    private final int epoch;
    /** The failing step's 1-based number in the optimiser's count. */
    private final long step;

    /**
     * An exception for a failed step.
     *
     * @param message what became non-finite, for the user
     * @param epoch   the 1-based epoch of the failing step
     * @param step    the failing step's 1-based number in the optimiser's count
     */
    public TrainingException(String message, int epoch, long step) {
        super(message);
        this.epoch = epoch;
        this.step = step;
    }

    /** {@return the 1-based epoch of the failing step} */
    public int epoch() {
        return epoch;
    }

    /**
     * {@return the failing step's 1-based number in the optimiser's count (over all epochs and train calls)}
     */
    public long step() {
        return step;
    }
}

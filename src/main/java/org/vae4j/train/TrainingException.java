package org.vae4j.train;

/**
 * Training stopped because a loss or gradient became non-finite. The model keeps the parameters
 * it had before the failing step (the last good ones), and the optimiser its state.
 */
public final class TrainingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final long step;

    public TrainingException(String message, int epoch, long step) {
        super(message);
        this.epoch = epoch;
        this.step = step;
    }

    /** 1-based epoch of the failing step. */
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

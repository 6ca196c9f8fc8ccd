package org.vae4j.train;

/**
 * Hooks of a {@link TrainingRun} around each epoch, on the training thread (as Keras's
 * {@code Callback.on_epoch_begin} / {@code on_epoch_end}). The run gives the model
 * ({@link TrainingRun#model()}), the optimiser and the history, and stops training after the
 * current epoch with {@link TrainingRun#stopTraining()} (Keras's {@code model.stop_training = True}).
 * Per-step hooks are {@link StepListener}s.
 */
public interface EpochCallback {

    /**
     * Before epoch {@code epoch} (1-based, in the whole run). The callback may change the values
     * (not the shape) of the training matrix, e.g. draw a fresh binarisation. Does nothing by default.
     *
     * @param run   the run being trained
     * @param epoch the 1-based number of the epoch about to start, counted over the whole run
     */
    default void onEpochStart(TrainingRun run, int epoch) {
    }

    /**
     * After the epoch, its validation and the early-stopping update; the model holds the epoch's
     * final parameters (the best ones are restored only when the run ends). Does nothing by default.
     *
     * @param run     the run being trained
     * @param metrics the finished epoch's statistics, validation value and early-stopping position
     */
    default void onEpochEnd(TrainingRun run, EpochMetrics metrics) {
    }
}

package org.vae4j.io;

import java.util.List;

import org.vae4j.objective.Corruption;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * How a model was trained, as recorded in a model file or checkpoint: the {@link Trainer} settings
 * that shape the training trajectory, and the per-epoch history.
 *
 * <p>Together with the optimiser's step count this is the whole position of a training run: the
 * trainer draws each epoch's shuffling, noise and input corruption from (seed, optimiser steps
 * taken so far), and the KL warm-up's beta from the step count. So a run resumed with a trainer
 * from {@link #trainerBuilder()} and the checkpoint's optimiser continues exactly as if
 * uninterrupted. Immutable (the history is copied).
 *
 * @param seed           the trainer's seed
 * @param batchSize      the trainer's mini-batch size
 * @param beta           the KL weight (its target, after any warm-up)
 * @param klWarmupSteps  steps of the linear KL warm-up (0 = none)
 * @param corruption     the input corruption of denoising training ({@link Corruption#none()} if none)
 * @param history        one entry per epoch trained so far, in order
 */
public record TrainingState(long seed, int batchSize, double beta, long klWarmupSteps, Corruption corruption,
                            List<EpochStats> history) {

    /**
     * @throws IllegalArgumentException for a non-positive batch size, a negative or non-finite beta,
     *                                  a negative warm-up, or a null corruption or history
     */
    public TrainingState {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
        }
        if (klWarmupSteps < 0) {
            throw new IllegalArgumentException("KL warm-up steps must be >= 0, got " + klWarmupSteps);
        }
        if (corruption == null) {
            throw new IllegalArgumentException("corruption must not be null (use Corruption.none())");
        }
        if (history == null) {
            throw new IllegalArgumentException("history must not be null (use List.of())");
        }
        history = List.copyOf(history);
    }

    /** A state without input corruption. */
    public TrainingState(long seed, int batchSize, double beta, long klWarmupSteps, List<EpochStats> history) {
        this(seed, batchSize, beta, klWarmupSteps, Corruption.none(), history);
    }

    /** The settings of {@code trainer} and the history its runs returned (concatenated). */
    public static TrainingState of(Trainer trainer, List<EpochStats> history) {
        return new TrainingState(trainer.seed(), trainer.batchSize(), trainer.klWarmup().target(),
                trainer.klWarmup().steps(), trainer.corruption(), history);
    }

    /** Epochs trained so far: the history's length. */
    public int epochsCompleted() {
        return history.size();
    }

    /**
     * A trainer builder with this state's seed, batch size, beta, warm-up and corruption; set the
     * epochs still to run, then pass the checkpoint's optimiser to {@link Trainer#train(
     * org.vae4j.LatentModel, org.ejml.data.FMatrixRMaj, org.vae4j.optim.Optimizer)} to resume.
     */
    public Trainer.Builder trainerBuilder() {
        return Trainer.builder().seed(seed).batchSize(batchSize).beta(beta).klWarmupSteps(klWarmupSteps)
                .corruption(corruption);
    }
}

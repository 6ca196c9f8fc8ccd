package org.vae4j.io;

import java.util.List;

import org.vae4j.objective.Corruption;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingProgress;
import org.vae4j.train.TrainingRun;

/**
 * How a model was trained, as recorded in a model file or checkpoint: every {@link Trainer}
 * setting ({@link TrainerConfig}), the per-epoch history, and the run's early-stopping position
 * and best parameters ({@link TrainingProgress}).
 *
 * <p>Together with the optimiser's step count this is the whole position of a training run: the
 * trainer draws each epoch's shuffling, noise and input corruption from (seed, optimiser steps
 * taken so far), the KL and learning-rate schedules from the step count, and early stopping from
 * the progress. So a run resumed with {@link Checkpoint#resume} continues exactly as if uninterrupted.
 * Files written before these settings existed load with the defaults for the missing ones.
 * Immutable (the history is copied).
 *
 * @param config   the trainer settings
 * @param history  one entry per epoch trained so far, in order
 * @param progress the validation best, patience counter and best parameters ({@link TrainingProgress#NONE} if none)
 */
public record TrainingState(TrainerConfig config, List<EpochStats> history, TrainingProgress progress) {

    /**
     * Checks that nothing is null and copies the history.
     *
     * @param config   the trainer settings
     * @param history  one entry per epoch trained so far, in order (copied)
     * @param progress the early-stopping position and best parameters, {@link TrainingProgress#NONE} for none
     * @throws IllegalArgumentException for a null config, history or progress
     */
    public TrainingState {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        if (history == null) {
            throw new IllegalArgumentException("history must not be null (use List.of())");
        }
        if (progress == null) {
            throw new IllegalArgumentException("progress must not be null (use TrainingProgress.NONE)");
        }
        history = List.copyOf(history);
    }

    /**
     * The settings that shape a trajectory without validation or schedules (the others at their defaults),
     * with no early-stopping progress.
     *
     * @param seed          seed of the training draws (shuffling, noise, corruption)
     * @param batchSize     rows per step, &gt; 0
     * @param beta          the KL weight's target, finite and &gt;= 0
     * @param klWarmupSteps steps of a linear warm-up of beta from 0, &gt;= 0 (0: none)
     * @param corruption    the input corruption ({@link Corruption#none()} for none)
     * @param history       one entry per epoch trained so far, in order (copied)
     * @throws IllegalArgumentException for a non-positive batch size, a negative or non-finite beta,
     *                                  a negative warm-up, or a null corruption or history
     */
    public TrainingState(long seed, int batchSize, double beta, long klWarmupSteps, Corruption corruption,
                         List<EpochStats> history) {
        this(Trainer.builder().seed(seed).batchSize(batchSize).beta(beta).klWarmupSteps(klWarmupSteps)
                .corruption(corruption).buildConfig(), history, TrainingProgress.NONE);
    }

    /**
     * A state without input corruption: the constructor above with {@link Corruption#none()}.
     *
     * @param seed          seed of the training draws (shuffling, noise)
     * @param batchSize     rows per step, &gt; 0
     * @param beta          the KL weight's target, finite and &gt;= 0
     * @param klWarmupSteps steps of a linear warm-up of beta from 0, &gt;= 0 (0: none)
     * @param history       one entry per epoch trained so far, in order (copied)
     * @throws IllegalArgumentException for a non-positive batch size, a negative or non-finite beta,
     *                                  a negative warm-up, or a null history
     */
    public TrainingState(long seed, int batchSize, double beta, long klWarmupSteps, List<EpochStats> history) {
        this(seed, batchSize, beta, klWarmupSteps, Corruption.none(), history);
    }

    /**
     * {@return the settings of {@code trainer} and the history its runs returned (concatenated), with no
     * early-stopping progress}
     *
     * @param trainer the trainer whose {@link Trainer#config()} is recorded
     * @param history the epochs trained so far, in order (copied)
     */
    public static TrainingState of(Trainer trainer, List<EpochStats> history) {
        return new TrainingState(trainer.config(), history, TrainingProgress.NONE);
    }

    /**
     * {@return the settings, the given history and the progress of {@code run}}
     *
     * @param run     the run whose config and early-stopping progress are recorded
     * @param history the epochs trained so far, in order (copied), e.g. the run's own and those before it
     */
    public static TrainingState of(TrainingRun run, List<EpochStats> history) {
        return new TrainingState(run.config(), history, run.progress());
    }

    /** {@return the seed} */
    public long seed() {
        return config.seed();
    }

    /** {@return the batch size} */
    public int batchSize() {
        return config.batchSize();
    }

    /** {@return the KL weight (its target, after any warm-up)} */
    public double beta() {
        return config.beta();
    }

    /** {@return the steps of a linear KL warm-up, 0 for a constant or cyclical schedule ({@link #klSchedule()})} */
    public long klWarmupSteps() {
        return config.klWarmupSteps();
    }

    /** {@return how beta moved towards its target} */
    public org.vae4j.train.KlSchedule klSchedule() {
        return config.klSchedule();
    }

    /** {@return the corruption} */
    public Corruption corruption() {
        return config.corruption();
    }

    /** {@return the epochs trained so far: the history's length} */
    public int epochsCompleted() {
        return history.size();
    }

    /**
     * {@return a trainer builder with every setting of this state; add listeners, then {@link Checkpoint#resume} or
     * (the older way, for {@code epochs} more epochs) pass the checkpoint's optimiser to
     * {@link Trainer#train(org.vae4j.LatentModel, org.ejml.data.FMatrixRMaj, org.vae4j.optim.Optimizer)}}
     */
    public Trainer.Builder trainerBuilder() {
        return Trainer.builder().config(config);
    }
}

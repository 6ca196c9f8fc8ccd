package org.vae4j.optim;

/**
 * A learning rate for every optimiser step: {@link #lr(long) lr(t)} is the rate of the step that
 * comes after {@code t} steps (so {@code lr(0)} is the first step's). Made by
 * {@link LearningRateSchedules} (which documents the formulas and the PyTorch schedulers each
 * one reproduces); immutable and thread-safe.
 *
 * <p>Use: before each {@code optimizer.step(params)}, call {@link #applyTo(Optimizer)}, which sets
 * the optimiser's learning rate to {@code lr(optimizer.steps())}. The step count is the
 * optimiser's, so a schedule continues across {@code train} calls and resumed checkpoints.
 */
public interface LearningRateSchedule {

    /**
     * {@return the learning rate of the step after {@code step} steps, positive}
     *
     * @param step the number of optimiser steps already taken, &gt;= 0 (0 for the first step)
     * @throws IllegalArgumentException for a negative step, or one past the end of a schedule
     *                                  with a fixed length (cosine)
     */
    double lr(long step);

    /** {@return the learning rate the schedule starts from and scales (before any warm-up)} */
    double baseLearningRate();

    /** {@return a short description for logs, e.g. {@code cosine(lr=0.001, steps=1200)}} */
    String describe();

    /**
     * {@return this schedule with a linear warm-up over its first {@code warmupSteps} steps:
     * {@code lr(t) * (t + 1) / warmupSteps} for {@code t < warmupSteps}, {@code lr(t)} after} 0 returns this schedule.
     *
     * @param warmupSteps the number of warm-up steps, &gt;= 0
     * @throws IllegalArgumentException for a negative count
     */
    default LearningRateSchedule withWarmup(long warmupSteps) {
        return LearningRateSchedules.warmup(this, warmupSteps);
    }

    /**
     * Sets the optimiser's learning rate for its next step, {@code lr(optimizer.steps())}.
     *
     * @param optimizer the optimiser whose rate is set; its {@link Optimizer#steps()} is the step index
     * @return the rate set
     * @throws IllegalArgumentException if the optimiser's step count is past the end of a
     *         fixed-length schedule, or the optimiser rejects the rate (AdamW: lr * weight decay &gt;= 1)
     */
    default double applyTo(Optimizer optimizer) {
        double lr = lr(optimizer.steps());
        optimizer.setLearningRate(lr);
        return lr;
    }
}

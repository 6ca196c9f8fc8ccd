/**
 * Mini-batch training: {@link org.vae4j.train.Trainer} and its validated settings
 * ({@link org.vae4j.train.TrainerConfig}), the {@link org.vae4j.train.TrainingRun} that keeps the
 * optimiser's state across calls (validation split, early stopping, best-parameter restore,
 * learning-rate schedule, clipping), its callbacks, statistics and listeners.
 */
package org.vae4j.train;

/**
 * Optimisers with PyTorch's exact update rules ({@link org.vae4j.optim.Adam},
 * {@link org.vae4j.optim.AdamW}, {@link org.vae4j.optim.Sgd}), gradient-norm clipping
 * ({@link org.vae4j.optim.GradientClipping}) and learning-rate schedules
 * ({@link org.vae4j.optim.LearningRateSchedules}).
 */
package org.vae4j.optim;

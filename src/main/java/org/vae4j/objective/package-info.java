/**
 * Training objectives: an {@link org.vae4j.objective.Objective} computes a batch's loss and
 * gradients through a model's pieces, given a {@link org.vae4j.objective.StepContext} (beta,
 * the batch size, the row-keyed noise). {@link org.vae4j.objective.NegativeElbo} (beta-VAE, with
 * optional free bits), {@link org.vae4j.objective.NegativeIwaeBound} (the IWAE bound),
 * {@link org.vae4j.objective.Reconstruction} (autoencoder) and the
 * {@link org.vae4j.objective.Denoising} wrapper with its {@link org.vae4j.objective.Corruption}.
 */
package org.vae4j.objective;

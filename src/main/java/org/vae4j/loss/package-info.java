/**
 * The probabilistic pieces of a VAE's loss: the reparameterisation sampler
 * ({@link org.vae4j.loss.GaussianSampler}), the closed-form KL ({@link org.vae4j.loss.GaussianKl})
 * and the likelihoods p(x|z) ({@link org.vae4j.loss.BernoulliLikelihood},
 * {@link org.vae4j.loss.GaussianLikelihood}, and for table columns
 * {@link org.vae4j.loss.LearnedGaussianLikelihood}, {@link org.vae4j.loss.CategoricalLikelihood}
 * and {@link org.vae4j.loss.CompositeLikelihood}, with missing cells through
 * {@link org.vae4j.loss.MissingCells}). Each has its forward and backward side by side.
 */
package org.vae4j.loss;

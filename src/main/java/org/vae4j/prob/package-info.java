/**
 * The distributions of a latent-variable model other than the likelihood: the approximate
 * posterior q(z|x) ({@link org.vae4j.prob.Posterior}: diagonal Gaussian for a VAE, a point mass
 * for an autoencoder) and the prior N(0, I).
 */
package org.vae4j.prob;

/**
 * Evaluation and generation with a trained model: the test negative ELBO with k samples
 * ({@link org.vae4j.eval.Elbo}), the importance-weighted log-likelihood
 * ({@link org.vae4j.eval.ImportanceWeighted}), active units and KL per latent dimension
 * ({@link org.vae4j.eval.LatentUsage}), the squared reconstruction error per image
 * ({@link org.vae4j.eval.ReconstructionError}) with a PCA baseline ({@link org.vae4j.eval.Pca}),
 * and interpolation and traversal in latent space ({@link org.vae4j.eval.LatentSpace}).
 *
 * <p>All quantities are accumulated in double and reported per example (nats, or squared error
 * summed over the pixels of an image). Large inputs are processed in chunks of at most
 * 1000 rows, so memory stays bounded. The classes are stateless;
 * they use the model given to them (whose work buffers are not thread-safe) and the random
 * generator passed in, so a seed reproduces every figure.
 */
package org.vae4j.eval;

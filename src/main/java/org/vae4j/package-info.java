/**
 * vae4j: variational autoencoders ({@link org.vae4j.Vae}) and deterministic autoencoders
 * ({@link org.vae4j.Autoencoder}) with hand-written backward passes, trained by
 * {@link org.vae4j.train.Trainer}. Subpackages: {@code kernel} (the GEMM interface and its
 * backends), {@code nn} (dense layers, activations), {@code loss} (sampler, KL, likelihoods),
 * {@code optim} (Adam, SGD), {@code train}, {@code data} (IDX files). Models are mutable and
 * single-threaded; {@link org.vae4j.LatentModel#inference()} gives a thread-safe
 * {@link org.vae4j.InferenceView} of one.
 */
package org.vae4j;

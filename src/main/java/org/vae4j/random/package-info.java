/**
 * Counter-based randomness: {@link org.vae4j.random.Noise} keys every draw by (seed, purpose,
 * time, row, sample), so a row's noise is the same on one thread or many, in one batch or
 * micro-batches, locally or on a cluster partition.
 */
package org.vae4j.random;

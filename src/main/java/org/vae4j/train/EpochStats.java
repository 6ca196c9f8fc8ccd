package org.vae4j.train;

/**
 * What one training epoch did. Losses are per example, averaged over the epoch's examples
 * (each batch weighted by its size). Immutable.
 *
 * @param epoch            1-based epoch number
 * @param trainLoss        the optimised objective (reconstruction + beta * KL)
 * @param reconstruction   -log p(x|z) (or squared error) per example
 * @param kl               KL(q(z|x) || p(z)) per example (0 for an autoencoder)
 * @param beta             the KL weight at the epoch's last step
 * @param steps            optimiser steps taken in the epoch
 * @param examples         examples seen
 * @param seconds          wall time of the epoch, in seconds
 */
public record EpochStats(int epoch, double trainLoss, double reconstruction, double kl, double beta,
                         long steps, long examples, double seconds) {

    /** {@return the training throughput, examples per second of wall time; +infinity when {@code seconds} is 0} */
    public double imagesPerSecond() {
        return seconds > 0 ? examples / seconds : Double.POSITIVE_INFINITY;
    }
}

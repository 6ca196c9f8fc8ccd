package org.vae4j.train;

/**
 * What an {@link EpochCallback} learns at the end of an epoch: the training statistics, the
 * validation value, the learning rate and the early-stopping position. Immutable.
 *
 * @param stats         the epoch's training loss parts, steps and time (training loop only)
 * @param validation    the validation value after the epoch ({@link org.vae4j.LatentModel#negativeElbo(
 *                      org.ejml.data.FMatrixRMaj, org.vae4j.random.Noise)}'s total with the same noise
 *                      every epoch: -ELBO per row for a VAE, squared error per row for an
 *                      autoencoder), or NaN without a validation set
 * @param learningRate  the learning rate of the epoch's last step
 * @param bestEpoch     the epoch with the lowest validation value so far (the earliest on ties), 0 without validation
 * @param bestValue     that epoch's validation value (NaN without validation)
 * @param epochsWithoutImprovement the early-stopping counter after this epoch
 */
public record EpochMetrics(EpochStats stats, double validation, double learningRate, int bestEpoch,
                           double bestValue, int epochsWithoutImprovement) {

    /** {@return the 1-based epoch number in the whole run} */
    public int epoch() {
        return stats.epoch();
    }

    /** {@return whether a validation value was computed} */
    public boolean hasValidation() {
        return !Double.isNaN(validation);
    }

    /** {@return whether this epoch is the best so far (a new lowest validation value)} */
    public boolean isBest() {
        return hasValidation() && bestEpoch == stats.epoch();
    }

    /**
     * {@return the training throughput of the epoch's loop, in examples per second
     * ({@link EpochStats#imagesPerSecond()})}
     */
    public double imagesPerSecond() {
        return stats.imagesPerSecond();
    }
}

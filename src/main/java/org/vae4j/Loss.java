package org.vae4j;

/**
 * A loss value in nats (or squared error) per example: summed over pixels and latent dimensions,
 * averaged over the examples. {@code total = reconstruction + beta * kl} for a VAE;
 * {@code kl} is 0 for an autoencoder. Immutable.
 *
 * @param total          the objective that was differentiated (negative ELBO when beta = 1)
 * @param reconstruction -log p(x|z) per example (squared error for an autoencoder)
 * @param kl             KL(q(z|x) || p(z)) per example, unweighted
 */
public record Loss(double total, double reconstruction, double kl) {

    /** {@return whether all parts are finite} */
    public boolean isFinite() {
        return Double.isFinite(total) && Double.isFinite(reconstruction) && Double.isFinite(kl);
    }

    /** {@return the negative ELBO per example, reconstruction + kl (beta = 1), in nats} */
    public double negativeElbo() {
        return reconstruction + kl;
    }
}

package org.vae4j.eval;

/**
 * A test negative ELBO estimated with {@code samples} draws of z per example (see
 * {@link Elbo#estimate}). Values are in nats per example, averaged over the examples. Immutable.
 *
 * @param negativeElbo   reconstruction + kl: the mean over examples of the per-example -ELBO
 * @param reconstruction -log p(x|z), averaged over the z draws, then over the examples
 * @param kl             KL(q(z|x) || N(0, I)) in closed form, averaged over the examples
 * @param standardError  standard error over examples of the per-example -ELBO (NaN for one example)
 * @param samples        z draws per example
 * @param examples       number of examples
 */
public record ElboEstimate(double negativeElbo, double reconstruction, double kl, double standardError,
                           int samples, int examples) {

    /** {@return the ELBO itself, -negativeElbo: a lower bound on log p(x) per example} */
    public double elbo() {
        return -negativeElbo;
    }
}

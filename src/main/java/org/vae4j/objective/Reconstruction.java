package org.vae4j.objective;

/**
 * The reconstruction loss alone, -log p(target | decoder(z)) / B, ignoring the step's beta: the
 * autoencoder's objective (squared error with the default likelihood). On a VAE it trains
 * through a sampled z with no KL term. Mutable (work buffers), not thread-safe.
 */
public final class Reconstruction extends NegativeElbo {

    /** The reconstruction objective. */
    public Reconstruction() {
    }

    @Override
    protected double klWeight(StepContext context) {
        return 0;
    }

    @Override
    public String describe() {
        return "reconstruction";
    }
}
